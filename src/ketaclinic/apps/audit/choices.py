from django.db import models


class Action(models.TextChoices):
    VIEW = "view", "Viewed"
    SEARCH = "search", "Searched"
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"
    EXPORT = "export", "Exported"
    LOGIN = "login", "Logged in"
    LOGOUT = "logout", "Logged out"
    SESSION_TIMEOUT = "session_timeout", "Session timed out"
    PASSWORD_CHANGE = "password_change", "Changed password"
    ACCESS_DENIED = "access_denied", "Access denied"
    CORRECT = "correct", "Corrected"
    SIGN = "sign", "Signed"
    ACKNOWLEDGE = "acknowledge", "Acknowledged"
    SEND = "send", "Sent"
    PRINT = "print", "Printed"
    SUBMIT = "submit", "Submitted (patient)"
    VERIFY = "verify", "Verified"


class Outcome(models.TextChoices):
    SUCCESS = "success", "Success"
    DENIED = "denied", "Denied"
    ERROR = "error", "Error"
