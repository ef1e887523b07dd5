"""What every page of the mentoring scheme shares: the permissions its pilot pages declare."""

MANAGE = "mentoring.manage"
CONFIGURE = "mentoring.configure"
