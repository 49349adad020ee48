package emulator

import (
	"path"
	"slices"
	"strings"
)

// denyOperations are the operations denyActions may name, by IAM service
// prefix: the ones the emulator serves, plus for EKS the mutating routes it
// names in Calls without performing them. The classic load balancing API
// shares the elasticloadbalancing actions, as it does in IAM.
var denyOperations = map[string][]string{
	"eks": {"ListClusters", "DescribeCluster", "UpdateClusterConfig", "ListUpdates", "DescribeUpdate", "CancelUpdate",
		"ListNodegroups", "DescribeNodegroup", "ListAddons", "DescribeAddon", "ListAccessEntries", "DescribeAccessEntry",
		"CreateCluster", "DeleteCluster", "UpdateClusterVersion", "CreateNodegroup", "DeleteNodegroup", "UpdateNodegroupConfig",
		"UpdateNodegroupVersion", "CreateAddon", "DeleteAddon", "UpdateAddon", "CreateAccessEntry", "DeleteAccessEntry", "UpdateAccessEntry"},
	"ec2": {"DescribeRegions", "DescribeVpcs", "DescribeVpcAttribute", "DescribeSecurityGroups", "DescribeDhcpOptions",
		"DescribeInstances", "DescribeSubnets", "DescribeRouteTables"},
	"ecr": {"DescribeRepositories", "GetRegistryScanningConfiguration"},
	"iam": {"GetInstanceProfile", "GetRole", "ListAttachedRolePolicies", "GetPolicy", "GetPolicyVersion",
		"ListRolePolicies", "GetRolePolicy"},
	"elasticloadbalancing": {"DescribeLoadBalancers", "DescribeTags", "DescribeListeners"},
}

// denyPatterns lower-cases denyActions once: IAM matches actions without
// regard to case, and * and ? are wildcards as in a policy.
func denyPatterns(actions []string) []string {
	if len(actions) == 0 {
		return nil
	}
	out := make([]string, len(actions))
	for i, a := range actions {
		out[i] = strings.ToLower(a)
	}
	return out
}

func matchesAction(patterns []string, action string) bool {
	action = strings.ToLower(action)
	for _, p := range patterns {
		if ok, _ := path.Match(p, action); ok {
			return true
		}
	}
	return false
}

// action is the IAM action the call needs.
func (c *call) action() string {
	svc := c.service
	if svc == "elb" {
		svc = "elasticloadbalancing"
	}
	return svc + ":" + c.op
}

// denied says whether the account's or the region's denyActions refuse the
// call.
func denied(acct *account, reg *region, c *call) bool {
	if len(acct.deny) == 0 && (reg == nil || len(reg.deny) == 0) {
		return false
	}
	a := c.action()
	return matchesAction(acct.deny, a) || (reg != nil && matchesAction(reg.deny, a))
}

// denyMessage is how IAM explains a refusal in every service but EC2.
func denyMessage(principal, action, resource string) string {
	msg := "User: " + principal + " is not authorized to perform: " + action
	if resource != "" {
		msg += " on resource: " + resource
	}
	return msg + " because no identity-based policy allows the " + action + " action"
}

// knownAction reports whether a denyActions entry names (or, with
// wildcards, matches) at least one operation of a service the emulator
// serves; iamOK is false for a region, where IAM, a global service, has no
// place.
func knownAction(pattern string, iamOK bool) (ok bool, why string) {
	svc, op, found := strings.Cut(pattern, ":")
	ops, known := denyOperations[strings.ToLower(svc)]
	switch {
	case !found || op == "":
		return false, "must be SERVICE:Operation"
	case !known:
		return false, "names a service the emulator does not serve (want eks, ec2, ecr, iam or elasticloadbalancing)"
	case strings.EqualFold(svc, "iam") && !iamOK:
		return false, "is an IAM action: IAM is global, deny it in the account's denyActions"
	}
	p := strings.ToLower(op)
	if _, err := path.Match(p, ""); err != nil {
		return false, "is not a valid pattern"
	}
	if slices.ContainsFunc(ops, func(o string) bool { m, _ := path.Match(p, strings.ToLower(o)); return m }) {
		return true, ""
	}
	return false, "matches no " + strings.ToLower(svc) + " operation the emulator serves (" + strings.Join(ops, ", ") + ")"
}
