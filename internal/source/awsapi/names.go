package awsapi

import "regexp"

var (
	regionRE  = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]+$`)
	clusterRE = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$`)
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	roleRE    = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
)

// ValidRegion reports whether s looks like an AWS region name (us-east-1, us-gov-west-1,
// eusc-de-east-1).
func ValidRegion(s string) bool { return regionRE.MatchString(s) }

// ValidClusterName reports whether s is a name EKS accepts for a cluster.
func ValidClusterName(s string) bool { return clusterRE.MatchString(s) }

// ValidAccountID reports whether s is a 12-digit account id.
func ValidAccountID(s string) bool { return accountRE.MatchString(s) }

// ValidRoleName reports whether s is an IAM role name.
func ValidRoleName(s string) bool { return roleRE.MatchString(s) }
