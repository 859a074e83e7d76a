"""People who use Tasklane: users, their roles, passwords."""
