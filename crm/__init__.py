"""Business records shared by procedures: customers and leads, interactions, orders."""
