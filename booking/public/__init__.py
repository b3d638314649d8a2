"""The client's pages: booking, self-service, the waiting list, the question form."""
