package model

import "time"

// Inventory is everything a live collection saw: the clusters and the places that could not be read.
// It is what a snapshot stores, so that evaluation offline gives the same results as online.
type Inventory struct {
	CollectedAt time.Time  `json:"collectedAt"`
	Caller      string     `json:"caller,omitempty"`
	Clusters    []*Cluster `json:"clusters"`
	// Registries are the ECR registries read, one per account and region, when a selected control
	// needs them.
	Registries []*Registry `json:"registries,omitempty"`
	// Parts are what the collection read beyond DescribeCluster (for the controls selected then):
	// a control that needs a part not read is not judged on what is absent.
	Parts  Parts   `json:"parts,omitempty"`
	Errors []Error `json:"errors"`
	// Skipped lists accounts or regions deliberately not scanned, with why (suspended accounts).
	Skipped []Skip `json:"skipped"`
}

// Error records a part of the estate that could not be read. It becomes ERROR results.
type Error struct {
	Account string `json:"account,omitempty"`
	Region  string `json:"region,omitempty"`
	// Cluster is empty when a whole region or account failed.
	Cluster string `json:"cluster,omitempty"`
	ARN     string `json:"arn,omitempty"`
	// Operation is the API call that failed, as an IAM action (eks:ListClusters).
	Operation string `json:"operation"`
	Code      string `json:"code,omitempty"`
	Message   string `json:"message"`
	// AccessDenied is set when the caller lacks the permission named by Operation.
	AccessDenied bool `json:"accessDenied,omitempty"`
}

// Skip records something not scanned on purpose.
type Skip struct {
	Account string `json:"account,omitempty"`
	Region  string `json:"region,omitempty"`
	// File, Line, Resource, Source and Version name a definition in IaC that was not read (a call of
	// a registry module eksguard does not model): where it is, its address, and what it calls.
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Resource string `json:"resource,omitempty"`
	Source   string `json:"source,omitempty"`
	Version  string `json:"version,omitempty"`
	Reason   string `json:"reason"`
}

// DropParts lets go of what was read beyond DescribeCluster once it has been judged: a fleet's node
// groups, instances, subnets, roles, load balancers and repositories are most of an inventory, and
// the report keeps what it needs of them in its evidence. What decides the exit code (errors,
// skips, the caller) stays.
func (inv *Inventory) DropParts() {
	for _, c := range inv.Clusters {
		c.NodeGroups, c.Instances, c.Subnets, c.NodeRoles, c.Addons, c.LoadBalancers = nil, nil, nil, nil, nil, nil
		c.Kube = nil
	}
	for _, r := range inv.Registries {
		r.Repositories = nil
	}
}
