package kubernetes

import (
	"slices"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// Small Crossplane objects for the table tests: each ends inside spec.forProvider (or the base's).
const (
	upboundV2 = "apiVersion: eks.aws.upbound.io/v1beta2\nkind: Cluster\nmetadata:\n  name: a\nspec:\n  forProvider:\n    region: us-east-1\n"
	upboundV1 = "apiVersion: eks.aws.upbound.io/v1beta1\nkind: Cluster\nmetadata:\n  name: a\nspec:\n  forProvider:\n    region: us-east-1\n"
	classic   = "apiVersion: eks.aws.crossplane.io/v1beta1\nkind: Cluster\nmetadata:\n  name: a\nspec:\n  forProvider:\n    region: us-east-1\n"
	// composition is a Resources-mode Composition whose one entry, "eks", is an Upbound v1beta2
	// Cluster; its patches follow, then the base's forProvider.
	composition = "apiVersion: apiextensions.crossplane.io/v1\nkind: Composition\nmetadata:\n  name: xeks\nspec:\n" +
		"  patchSets:\n    - name: network\n      patches:\n        - fromFieldPath: spec.allowlist\n          toFieldPath: spec.forProvider.vpcConfig[0].publicAccessCidrs\n" +
		"  resources:\n    - name: eks\n      patches:\n        - type: PatchSet\n          patchSetName: network\n" +
		"        - type: CombineFromComposite\n          combine:\n            variables:\n              - fromFieldPath: spec.logs\n            strategy: string\n          toFieldPath: spec.forProvider.enabledClusterLogTypes\n" +
		"        - fromFieldPath: spec.forProvider.accessConfig\n" +
		"        - type: ToCompositeFieldPath\n          fromFieldPath: spec.forProvider.encryptionConfig\n          toFieldPath: status.encryption\n" +
		"      base:\n        apiVersion: eks.aws.upbound.io/v1beta2\n        kind: Cluster\n        spec:\n          forProvider:\n"
)

// TestCrossplaneValues reads one setting of one small Crossplane object: precedence of forProvider
// over initProvider, v1beta1's lists of one, patches in a Composition, and what is a problem.
func TestCrossplaneValues(t *testing.T) {
	pub := func(c *model.Cluster) any { return c.EndpointPublicAccess }
	cidrs := func(c *model.Cluster) any { return c.PublicAccessCIDRs }
	logs := func(c *model.Cluster) any { return c.EnabledLogTypes }
	auth := func(c *model.Cluster) any { return c.AuthenticationMode }
	secrets := func(c *model.Cluster) any { return c.SecretsKeyARN }
	base := "            "
	tests := []struct {
		name    string
		src     string
		field   func(*model.Cluster) any
		want    string // origin|value|part of the detail
		problem string
	}{
		{"Upbound defaults", upboundV2 + "    vpcConfig:\n      subnetIds: [subnet-1]\n", pub, "default|true|Terraform's aws_eks_cluster", ""},
		{"Upbound v1beta2 object", upboundV2 + "    vpcConfig:\n      endpointPublicAccess: false\n", pub, "explicit|false|", ""},
		{"forProvider wins over initProvider", upboundV2 + "    vpcConfig:\n      endpointPublicAccess: false\n  initProvider:\n    vpcConfig:\n      endpointPublicAccess: true\n", pub, "explicit|false|", ""},
		{"initProvider fills what forProvider leaves out", upboundV2 + "    vpcConfig:\n      subnetIds: [subnet-1]\n  initProvider:\n    vpcConfig:\n      endpointPublicAccess: false\n", pub, "explicit|false|", ""},
		{"Upbound v1beta1 list of one", upboundV1 + "    vpcConfig:\n      - endpointPublicAccess: false\n", pub, "explicit|false|", ""},
		{"Upbound v1beta1 empty list", upboundV1 + "    vpcConfig: []\n", pub, "default|true|", "vpcConfig is missing"},
		{"Upbound v1beta1 written as an object", upboundV1 + "    vpcConfig:\n      endpointPublicAccess: false\n", pub, "unknown|false|spells it as a list of one", ""},
		{"Upbound v1beta2 written as a list", upboundV2 + "    vpcConfig:\n      - endpointPublicAccess: false\n", pub, "unknown|false|spells it as a mapping", ""},
		{"Upbound without vpcConfig", upboundV2, pub, "default|true|", "a.yaml:2:1: spec.forProvider.vpcConfig is missing; the CRD requires it"},
		{"Upbound namespaced group", strings.Replace(upboundV2, "eks.aws.upbound.io/v1beta2", "eks.aws.m.upbound.io/v1beta1", 1) + "    vpcConfig:\n      endpointPublicAccess: false\n", pub, "explicit|false|", ""},
		{"Upbound IPv6 allowlist default", upboundV2 + "    kubernetesNetworkConfig:\n      ipFamily: ipv6\n    vpcConfig:\n      subnetIds: [subnet-1]\n", cidrs, "default|[0.0.0.0/0 ::/0]|", ""},
		{"Upbound local cluster", upboundV2 + "    outpostConfig:\n      controlPlaneInstanceType: m5.large\n    vpcConfig:\n      subnetIds: [subnet-1]\n", pub, "unknown|false|Outposts", ""},
		{"Upbound log types", upboundV2 + "    vpcConfig: {}\n    enabledClusterLogTypes: [audit, api, audit]\n", logs, "explicit|[audit api]|", ""},
		{"Upbound log type EKS lacks", upboundV2 + "    vpcConfig: {}\n    enabledClusterLogTypes: [Audit]\n", logs, `unknown|[]|lists "Audit"`, ""},
		{"Upbound accessConfig without a mode", upboundV2 + "    vpcConfig: {}\n    accessConfig:\n      bootstrapClusterCreatorAdminPermissions: false\n", auth, "default|CONFIG_MAP|", ""},
		{"Upbound mode from initProvider", upboundV1 + "    vpcConfig: [{}]\n  initProvider:\n    accessConfig:\n      - authenticationMode: API\n", auth, "explicit|API|", ""},
		{"Upbound lower-case mode", upboundV2 + "    vpcConfig: {}\n    accessConfig:\n      authenticationMode: api\n", auth, `unknown||"api" is not an authentication mode`,
			`a.yaml:10:7: spec.forProvider.accessConfig.authenticationMode "api" is not an authentication mode`},
		{"Upbound key", upboundV2 + "    vpcConfig: {}\n    encryptionConfig:\n      resources: [secrets]\n      provider:\n        keyArn: " + key + "\n", secrets, "explicit|" + key + "|", ""},
		{"Upbound v1beta1 key", upboundV1 + "    vpcConfig: [{}]\n    encryptionConfig:\n      - resources: [secrets]\n        provider:\n          - keyArn: " + key + "\n", secrets, "explicit|" + key + "|", ""},
		{"Upbound encryption without resources", upboundV2 + "    vpcConfig: {}\n    encryptionConfig:\n      provider:\n        keyArn: " + key + "\n", secrets, "unknown||needs both provider.keyArn and resources", ""},
		{"classic defaults", classic + "    resourcesVpcConfig:\n      subnetIds: [subnet-1]\n", pub, "default|true|classic Crossplane provider", ""},
		{"classic without resourcesVpcConfig", classic, pub, "default|true|", "spec.forProvider.resourcesVpcConfig is missing"},
		{"classic logging entry without enabled", classic + "    resourcesVpcConfig: {}\n    logging:\n      clusterLogging:\n        - types: [audit]\n", logs, "unknown|[]|has no enabled", ""},
		{"classic mode the CRD rejects", classic + "    resourcesVpcConfig: {}\n    accessConfig:\n      authenticationMode: api\n", auth, "unknown||not an authentication mode", "is not an authentication mode"},
		{"classic key", classic + "    resourcesVpcConfig: {}\n    encryptionConfig:\n      - resources: [secrets]\n        provider:\n          keyArn: " + key + "\n", secrets, "explicit|" + key + "|", ""},
		{"classic encryption of other resources", classic + "    resourcesVpcConfig: {}\n    encryptionConfig:\n      - resources: [configmaps]\n        provider:\n          keyArn: " + key + "\n", secrets, "explicit||no spec.forProvider.encryptionConfig entry lists secrets", ""},
		{"Composition base", composition + base + "vpcConfig:\n" + base + "  endpointPublicAccess: false\n", pub, "explicit|false|", ""},
		{"Composition PatchSet", composition + base + "vpcConfig:\n" + base + "  publicAccessCidrs: [203.0.113.0/24]\n", cidrs,
			"unknown|[]|written by the FromCompositeFieldPath patch from spec.allowlist (patch 0 of PatchSet network)", ""},
		{"Composition combine", composition + base + "enabledClusterLogTypes: [audit]\n", logs, "unknown|[]|written by the CombineFromComposite patch of spec.logs", ""},
		{"Composition patch without toFieldPath", composition + base + "accessConfig:\n" + base + "  authenticationMode: API\n", auth,
			"unknown||written by the FromCompositeFieldPath patch from spec.forProvider.accessConfig", ""},
		{"Composition ToCompositeFieldPath reads only", composition + base + "encryptionConfig:\n" + base + "  resources: [secrets]\n" + base + "  provider:\n" + base + "    keyArn: " + key + "\n", secrets, "explicit|" + key + "|", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scan("a.yaml", []byte(tt.src))
			var probs []string
			for _, p := range res.Problems {
				probs = append(probs, p.String())
			}
			if got := strings.Join(probs, "\n"); tt.problem == "" && got != "" || !strings.Contains(got, tt.problem) {
				t.Errorf("problems %q, want %q", got, tt.problem)
			}
			if len(res.Resources) != 1 {
				t.Fatalf("%d clusters", len(res.Resources))
			}
			got := strings.SplitN(describe(tt.field(res.Resources[0].Cluster)), "|", 3)
			want := strings.SplitN(tt.want, "|", 3)
			if got[0] != want[0] || got[1] != want[1] || !strings.Contains(got[2], want[2]) {
				t.Errorf("got %q, want %q", strings.Join(got, "|"), tt.want)
			}
		})
	}
}

// TestCrossplaneDocuments: which Crossplane documents are read, passed over or a problem.
func TestCrossplaneDocuments(t *testing.T) {
	tests := []struct {
		name, src string
		clusters  []string
		problem   string
		claimed   bool
	}{
		{"a Composition of other resources", "apiVersion: apiextensions.crossplane.io/v1\nkind: Composition\nmetadata:\n  name: x\nspec:\n  resources:\n    - name: ng\n      base:\n        apiVersion: eks.aws.upbound.io/v1beta2\n        kind: NodeGroup\n", nil, "", false},
		{"a Composition without a name", "apiVersion: apiextensions.crossplane.io/v1\nkind: Composition\nmetadata:\n  name: x\nspec:\n  resources:\n    - base:\n        apiVersion: eks.aws.crossplane.io/v1beta1\n        kind: Cluster\n        spec:\n          forProvider: {}\n",
			[]string{"x/spec.resources[0]"}, "", true},
		{"a step of another function", "apiVersion: apiextensions.crossplane.io/v1\nkind: Composition\nmetadata:\n  name: x\nspec:\n  mode: Pipeline\n  pipeline:\n    - step: t\n      input:\n        apiVersion: gotemplating.fn.crossplane.io/v1beta1\n        kind: GoTemplate\n        inline:\n          template: |\n            apiVersion: eks.aws.upbound.io/v1beta2\n", nil, "", false},
		{"an unread version in a Composition", "apiVersion: apiextensions.crossplane.io/v1\nkind: Composition\nmetadata:\n  name: x\nspec:\n  resources:\n    - name: c\n      base:\n        apiVersion: eks.aws.upbound.io/v1beta3\n        kind: Cluster\n",
			nil, "a.yaml:9: Cluster eks.aws.upbound.io/v1beta3 is not read; eksguard reads eks.aws.upbound.io/v1beta1 and eks.aws.upbound.io/v1beta2", true},
		{"an unread version", "apiVersion: eks.aws.crossplane.io/v1alpha1\nkind: Cluster\nmetadata:\n  name: x\n", nil, "is not read; eksguard reads eks.aws.crossplane.io/v1beta1", true},
		{"the provider's CRD", "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: clusters.eks.aws.upbound.io\nspec:\n  group: eks.aws.upbound.io\n  versions:\n    - name: v1beta2\n# eks.aws.upbound.io/v1beta2\n", nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scan("a.yaml", []byte(tt.src))
			var probs, names []string
			for _, p := range res.Problems {
				probs = append(probs, p.String())
			}
			for _, r := range res.Resources {
				names = append(names, r.Cluster.Name)
			}
			if got := strings.Join(probs, "\n"); tt.problem == "" && got != "" || !strings.Contains(got, tt.problem) {
				t.Errorf("problems %q, want %q", got, tt.problem)
			}
			if !slices.Equal(names, tt.clusters) || (len(res.Claimed) > 0) != tt.claimed {
				t.Errorf("clusters %q, claimed %v; want %q, %v", names, res.Claimed, tt.clusters, tt.claimed)
			}
		})
	}
}

// TestCrossplaneRoundTrip applies the fix every failing check asks for to each Crossplane fixture,
// scans the result and wants every check to pass, but the patched public endpoint of the
// Composition, which stays unknown and is left out with the patch named.
func TestCrossplaneRoundTrip(t *testing.T) {
	opts := check.Options{Endpoint: check.TargetPrivate, KMSKeyARN: key}
	for _, file := range []string{"crossplane-composition.yaml", "upbound-v1beta1.yaml", "crossplane-classic.yaml"} {
		data := readFixture(t, file)
		for i, r := range scan(file, data).Resources {
			t.Run(file+"/"+r.Cluster.Name, func(t *testing.T) {
				fix, skipped, err := iac.PlanFix(r, wanted(r.Cluster, opts))
				if err != nil || fix == nil {
					t.Fatalf("fix %v, error %v", fix, err)
				}
				patched, err := finding.ApplyEdits(data, fix.Edits)
				if err != nil {
					t.Fatal(err)
				}
				after := scan(file, patched)
				if len(after.Problems) > 0 {
					t.Fatalf("problems %v after:\n%s", after.Problems, patched)
				}
				c := after.Resources[i].Cluster
				patchedPublic := file == "crossplane-composition.yaml"
				if why := skipped[model.FieldEndpointPublicAccess]; patchedPublic != (why != "") || patchedPublic && !strings.Contains(why, "spec.parameters.publicAccess") {
					t.Errorf("public endpoint left out: %q", why)
				}
				for _, id := range checkIDs {
					k, _ := check.Lookup(id)
					want := finding.Pass
					if patchedPublic && strings.HasPrefix(id, "eks-endpoint") {
						want = finding.Unknown
					}
					if o := k.Evaluate(c); o.Status != want {
						t.Errorf("%s after %q: %s, want %s: %s\n%s", id, fix.Description, o.Status, want, o.Reason, patched)
					}
				}
			})
		}
	}
}

// TestCrossplaneFixRefused: settings a Composition's patch writes, or a shape eksguard does not
// change, are refused with why.
func TestCrossplaneFixRefused(t *testing.T) {
	tests := []struct {
		name, src string
		want      model.Settings
		why       string
	}{
		{"patched allowlist", composition + "            vpcConfig: {}\n", model.Settings{PublicAccessCIDRs: []string{"203.0.113.0/24"}},
			"spec.forProvider.vpcConfig.publicAccessCidrs is written by the FromCompositeFieldPath patch from spec.allowlist"},
		{"v1beta2 block written as a list", upboundV2 + "    vpcConfig:\n      - subnetIds: [subnet-1]\n", model.Settings{EndpointPrivateAccess: model.Ptr(true)}, "spells it as a mapping"},
		{"classic encryption of other resources", classic + "    resourcesVpcConfig: {}\n    encryptionConfig:\n      - resources: [configmaps]\n        provider:\n          keyArn: " + key + "\n",
			model.Settings{SecretsKeyARN: model.Ptr(key)}, "no spec.forProvider.encryptionConfig entry lists secrets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scan("a.yaml", []byte(tt.src))
			if len(res.Resources) != 1 {
				t.Fatalf("%d clusters, problems %v", len(res.Resources), res.Problems)
			}
			fix, err := res.Resources[0].Fix(tt.want)
			if err == nil || !strings.Contains(err.Error(), tt.why) {
				t.Errorf("fix %+v, error %v; want %q", fix, err, tt.why)
			}
		})
	}
}

func TestFieldPath(t *testing.T) {
	tests := map[string][]string{
		"spec.forProvider.vpcConfig[0].endpointPublicAccess": {"spec", "forProvider", "vpcConfig", "endpointPublicAccess"},
		`metadata.labels["app.kubernetes.io/name"]`:          {"metadata", "labels", "app.kubernetes.io/name"},
		"metadata.annotations[crossplane.io/external-name]":  {"metadata", "annotations", "crossplane.io/external-name"},
		"spec.forProvider.vpcConfig[0].publicAccessCidrs[1]": {"spec", "forProvider", "vpcConfig", "publicAccessCidrs"},
		"spec[": {"spec"},
	}
	for in, want := range tests {
		if got := fieldPath(in); !slices.Equal(got, want) {
			t.Errorf("fieldPath(%q) = %q, want %q", in, got, want)
		}
	}
}
