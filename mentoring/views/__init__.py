"""Pages of the mentoring scheme, one module per part of the work: the beneficiary's side
(`beneficiary`), and the pilot structure's needs and diagnosis (`needs`), global assignment
(`matching`), resource pool, themes and weights (`pool`) and engagements (`engagements`)."""
