package terraform

import (
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// TestCloudposseEKS: calls of cloudposse/eks-cluster/aws are judged through eksguard's model of the
// major version they get, located at the call, and fixed in the call's arguments.
func TestCloudposseEKS(t *testing.T) {
	dir := copyFixture(t, "cloudposse")
	res := New().Scan(load(t, dir), iac.Options{})
	if len(res.Problems) > 0 || len(res.Skipped) > 0 {
		t.Fatalf("problems: %s, skipped %+v", problemStrings(res.Problems), res.Skipped)
	}
	if len(res.Resources) != 2 {
		t.Fatalf("%d clusters, want 2 (enabled = false declares none)", len(res.Resources))
	}
	status := func(r iac.Resource, id string) (finding.Status, int) {
		k, _ := check.Lookup(id)
		o := k.Evaluate(r.Cluster)
		return o.Status, o.Location.Line
	}
	v4 := find(t, res, "module.eks_cluster.aws_eks_cluster.default[0]")
	for id, want := range map[string]finding.Status{"eks-endpoint-private": finding.Fail, "eks-audit-logging": finding.Fail, "eks-access-api": finding.Pass, "eks-secrets-encryption": finding.Pass} {
		if got, line := status(v4, id); got != want || line != 1 {
			t.Errorf("v4 defaults: %s = %s at line %d, want %s at the call (line 1)", id, got, line, want)
		}
	}
	v2 := find(t, res, "module.old.aws_eks_cluster.default[0]")
	for id, want := range map[string]finding.Status{"eks-endpoint-private": finding.Pass, "eks-audit-logging": finding.Pass, "eks-access-api": finding.Fail, "eks-secrets-encryption": finding.Fail} {
		if got, _ := status(v2, id); got != want {
			t.Errorf("v2 with arguments: %s = %s, want %s", id, got, want)
		}
	}
	if line := v2.Cluster.EndpointPublicAccess.Loc.Line; line != 14 {
		t.Errorf("a passed value is located at line %d, want the argument's line 14", line)
	}
	// The fix goes into the call's arguments, and the rescan passes.
	fix, err := fixFor(v4, model.Settings{EndpointPublicAccess: model.Ptr(false), EnabledLogTypes: model.LogTypes})
	if err != nil {
		t.Fatal(err)
	}
	applyFix(t, fix)
	again := find(t, New().Scan(load(t, dir), iac.Options{}), "module.eks_cluster.aws_eks_cluster.default[0]")
	for _, id := range []string{"eks-endpoint-private", "eks-audit-logging"} {
		if got, _ := status(again, id); got != finding.Pass {
			t.Errorf("after the fix (%s): %s = %s", fix.Description, id, got)
		}
	}
	// What lives inside the module's own code is not edited.
	if _, err := fixFor(v2, model.Settings{AuthenticationMode: model.Ptr(model.AuthAPIAndConfigMap)}); err == nil || !strings.Contains(err.Error(), "eksguard's model") {
		t.Errorf("fix inside the model: %v", err)
	}
}
