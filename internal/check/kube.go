package check

import (
	"slices"
	"sort"
	"strings"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/rbac"
)

// The checks of the cluster's Kubernetes side (CIS section 4, 5.2.1 and the kubelet settings of
// 3.2) read model.Kube, which a scan fills from the Kubernetes API (docs/kubernetes-controls.md).
// They share one gate: an API that could not be read makes every one of them ERROR with the
// reason, a list they need that failed makes them ERROR naming it, and the AWS checks of the
// cluster stand either way.

// kubeCall is a read of the Kubernetes API a check needs: an RBAC verb and resource.
func kubeCall(verbResource, what string) APICall {
	return APICall{Action: verbResource, What: what, Kubernetes: true}
}

// IsKube reports whether the check reads the cluster's Kubernetes API or its kubelets.
func (k *Check) IsKube() bool {
	return len(k.Parts) > 0 && !slices.ContainsFunc(k.Parts, func(p model.Part) bool {
		return p != model.PartKubernetes && p != model.PartKubelet
	})
}

// kubeGate stops a Kubernetes check whose reads failed. It runs after partGate, so c.Kube is set.
func (k *Check) kubeGate(c *model.Cluster) (Outcome, bool) {
	if !k.IsKube() {
		return Outcome{}, false
	}
	kube := c.Kube
	if kube == nil {
		return Outcome{Status: finding.Unknown, Location: c.Loc,
			Reason: "the cluster's Kubernetes API was not read (a snapshot taken for other controls?); scan again with this control selected"}, true
	}
	if kube.Error != "" {
		return Outcome{Status: finding.Error, Location: c.Loc, Reason: "the Kubernetes API could not be read: " + kube.Error,
			Evidence: KubeErrorEvidence{Server: kube.Server, Auth: kube.Auth, Error: kube.Error}}, true
	}
	var ops []string
	for _, call := range k.Calls {
		if call.Kubernetes {
			ops = append(ops, call.Action)
		}
	}
	if errs := kube.FailedRead(ops...); len(errs) > 0 {
		var parts []string
		for _, e := range errs {
			what := e.Operation + " failed: " + e.Message
			if e.AccessDenied {
				what = "forbidden: eksguard's Kubernetes identity needs " + e.Operation + " (README, Kubernetes access); " + e.Message
			}
			parts = append(parts, what)
		}
		sort.Strings(parts)
		return Outcome{Status: finding.Error, Location: c.Loc, Reason: strings.Join(slices.Compact(parts), "; "),
			Evidence: PartErrorEvidence{Errors: errs}}, true
	}
	return Outcome{}, false
}

// KubeErrorEvidence is the evidence of a Kubernetes check whose API could not be read.
type KubeErrorEvidence struct {
	Server string `json:"server,omitempty"`
	Auth   string `json:"auth,omitempty"`
	Error  string `json:"error"`
}

// rbacOf is the cluster's RBAC evaluation, built once per cluster for all the checks that ask.
func rbacOf(kube *model.Kube) *rbac.Snapshot {
	return kube.Memo("rbac", func() any {
		return rbac.New(kube.Roles, kube.ClusterRoles, kube.RoleBindings, kube.ClusterRoleBindings)
	}).(*rbac.Snapshot)
}
