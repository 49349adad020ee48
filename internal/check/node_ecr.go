package check

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/iampolicy"
	"github.com/eksguard/eksguard/internal/model"
)

// ReadOnlyECRPolicies are the AWS managed policies that give nodes what they need of ECR and no
// more: they pass whatever their current version says.
var ReadOnlyECRPolicies = []string{"AmazonEC2ContainerRegistryReadOnly", "AmazonEC2ContainerRegistryPullOnly"}

// NodeECREvidence is what the node ECR access check saw.
type NodeECREvidence struct {
	Roles []RoleECR `json:"roles"`
	Note  string    `json:"note,omitempty"`
}

// RoleECR is one node role: where it was found and what its policies allow in ECR beyond pulling.
type RoleECR struct {
	Role string   `json:"role"`
	From []string `json:"from"`
	// Writes are the ECR actions beyond reading, each with the policy and statement allowing it.
	Writes []ECRGrant `json:"writes"`
	// Reads are read-only ECR actions beyond the four pull actions (listing, describing): allowed
	// by a read-only policy, shown for the record.
	Reads []string `json:"reads,omitempty"`
	// Unreadable are policies whose document could not be evaluated, with why.
	Unreadable []string `json:"unreadable,omitempty"`
	// ManagedReadOnly names the AWS managed read-only policies attached.
	ManagedReadOnly []string `json:"managedReadOnly,omitempty"`
}

// ECRGrant is one ECR action a node role's policy allows.
type ECRGrant struct {
	Action    string `json:"action"`
	Policy    string `json:"policy"`
	Statement string `json:"statement"`
	Pattern   string `json:"pattern"`
}

// NodeECRReadOnly passes when no node role of the cluster may change anything in ECR: nodes pull
// images, and a node that can push or delete turns one compromised pod into a poisoned registry
// every cluster pulls from.
var NodeECRReadOnly = register(&Check{
	ID:       "eks-node-ecr-read-only",
	Title:    "Nodes have read-only access to Amazon ECR",
	Summary:  "no node role may push, delete or change anything in ECR",
	Severity: SeverityMedium,
	Rationale: "Every pod on a node can use the node's IAM role through the instance metadata service unless " +
		"that is blocked. A node role that may push images, delete them or change repository policies lets any " +
		"compromised pod replace the images that every cluster of the account pulls.",
	Links: []Link{
		{Title: "Amazon EKS node IAM role", URL: "https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html"},
		{Title: "AWS managed policies for Amazon ECR", URL: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/security-iam-awsmanpol.html"},
		{Title: "CIS Amazon EKS Benchmark", URL: "https://www.cisecurity.org/benchmark/kubernetes"},
	},
	Parts: []model.Part{model.PartNodeGroups, model.PartAccessEntries, model.PartInstances, model.PartNodeRoles},
	Calls: []APICall{
		{Action: "eks:ListNodegroups", What: "the cluster's managed node groups"},
		{Action: "eks:DescribeNodegroup", What: "each node group's nodeRole"},
		{Action: "eks:ListAccessEntries", What: "access entries, when the authentication mode includes API"},
		{Action: "eks:DescribeAccessEntry", What: "the type of each entry (EC2_LINUX and EC2_WINDOWS are node roles)"},
		{Action: "ec2:DescribeInstances", What: "self-managed nodes tagged for the cluster and their instance profiles"},
		{Action: "iam:GetInstanceProfile", What: "the role of each instance profile"},
		{Action: "iam:ListAttachedRolePolicies", What: "the managed policies of each node role"},
		{Action: "iam:GetPolicy", What: "each managed policy's default version"},
		{Action: "iam:GetPolicyVersion", What: "the policy document"},
		{Action: "iam:ListRolePolicies", What: "the inline policies of each node role"},
		{Action: "iam:GetRolePolicy", What: "each inline policy's document"},
	},
	PassRule: "Every policy of every node role (managed node groups' nodeRole, EC2 access entries, instance " +
		"profiles of instances tagged for the cluster) allows in ECR only reading: the four pull actions " +
		"(BatchCheckLayerAvailability, BatchGetImage, GetDownloadUrlForLayer, GetAuthorizationToken) and other " +
		"Describe, List and Get actions. Wildcards (ecr:*, ecr:Put*, *) and NotAction are expanded against the " +
		"ECR action list; an unconditional Deny on every repository removes an action. AWS managed " +
		"AmazonEC2ContainerRegistryReadOnly and AmazonEC2ContainerRegistryPullOnly pass.",
	Defaults: "A cluster without EC2 nodes (Fargate only) has no node role and passes with a note.",
	Advice: "attach arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly (or ...ReadOnly) to the node role " +
		"and remove the statements that allow the actions named; give pushing to a CI role instead",
	judge: judgeNodeECR,
})

// policyCache remembers evaluated documents: a fleet's node roles share a handful of policies, and
// every cluster of every region names them again. It is bounded, since a document is at most a few
// kilobytes and an organization has at most thousands of distinct ones.
var policyCache struct {
	sync.Mutex
	m map[string]policyVerdict
}

type policyVerdict struct {
	grants []iampolicy.Grant
	err    error
}

const maxCachedPolicies = 4096

// ecrGrants is iampolicy.ECRBeyondPull, remembered per document.
func ecrGrants(doc string) ([]iampolicy.Grant, error) {
	policyCache.Lock()
	v, ok := policyCache.m[doc]
	policyCache.Unlock()
	if ok {
		return v.grants, v.err
	}
	grants, err := iampolicy.ECRBeyondPull(doc)
	policyCache.Lock()
	if policyCache.m == nil {
		policyCache.m = map[string]policyVerdict{}
	}
	if len(policyCache.m) < maxCachedPolicies {
		policyCache.m[doc] = policyVerdict{grants, err}
	}
	policyCache.Unlock()
	return grants, err
}

// readOnlyECR reports whether an ECR action only reads.
func readOnlyECR(action string) bool {
	name := strings.TrimPrefix(action, "ecr:")
	for _, p := range []string{"Describe", "List", "Get", "BatchGet", "BatchCheck"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func isManagedReadOnly(p model.Policy) bool {
	for _, n := range ReadOnlyECRPolicies {
		if p.ARN != "" && strings.HasSuffix(p.ARN, ":aws:policy/"+n) {
			return true
		}
	}
	return false
}

func judgeNodeECR(c *model.Cluster) Outcome {
	ev := &NodeECREvidence{Roles: []RoleECR{}}
	o := Outcome{Evidence: ev, Location: c.Loc}
	if len(c.NodeRoles) == 0 {
		ev.Note = "no node roles: the cluster runs no EC2 nodes (Fargate only, or no nodes yet)"
		o.Status, o.Reason = finding.Pass, "no node role found (no managed node groups, EC2 access entries or instances tagged for the cluster): nothing on EC2 can reach ECR as a node"
		return o
	}
	var writes, unreadable []string
	for _, role := range c.NodeRoles {
		re := RoleECR{Role: role.ARN, From: role.From, Writes: []ECRGrant{}}
		reads := map[string]bool{}
		for _, p := range role.Policies {
			if isManagedReadOnly(p) {
				re.ManagedReadOnly = append(re.ManagedReadOnly, p.Name)
				continue
			}
			grants, err := ecrGrants(p.Document)
			if err != nil {
				re.Unreadable = append(re.Unreadable, fmt.Sprintf("%s: %v", p.Name, err))
				unreadable = append(unreadable, role.Name+"/"+p.Name)
				continue
			}
			for _, g := range grants {
				if readOnlyECR(g.Action) {
					reads[g.Action] = true
					continue
				}
				re.Writes = append(re.Writes, ECRGrant{Action: g.Action, Policy: p.Name, Statement: g.Statement, Pattern: g.Pattern})
				writes = append(writes, fmt.Sprintf("%s (role %s, policy %s)", g.Action, role.Name, p.Name))
			}
		}
		for a := range reads {
			re.Reads = append(re.Reads, a)
		}
		sort.Strings(re.Reads)
		ev.Roles = append(ev.Roles, re)
	}
	sort.Slice(ev.Roles, func(i, j int) bool { return ev.Roles[i].Role < ev.Roles[j].Role })
	switch {
	case len(writes) > 0:
		o.Status = finding.Fail
		o.Reason = fmt.Sprintf("node roles may change ECR, beyond pulling images: %s", nameList(writes, maxNamed))
	case len(unreadable) > 0:
		o.Status = finding.Unknown
		o.Reason = "the documents of some node role policies could not be evaluated: " + nameList(unreadable, maxNamed)
	default:
		o.Status = finding.Pass
		o.Reason = fmt.Sprintf("%s may only read from ECR", count(len(c.NodeRoles), "node role", "node roles"))
	}
	return o
}
