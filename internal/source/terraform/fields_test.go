package terraform

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// fieldWant is the expected verdict of one check beside the endpoint on one cluster: its status, the
// line that decided it, and a text the reason, value or detail must contain.
type fieldWant struct {
	cluster string
	k       *check.Check
	status  finding.Status
	line    int
	text    string
}

var (
	logs = check.AuditLogging
	auth = check.AccessAPI
	key  = check.SecretsEncryption
)

func fw(cluster string, k *check.Check, status finding.Status, line int, text string) fieldWant {
	return fieldWant{cluster: cluster, k: k, status: status, line: line, text: text}
}

// fieldText is what a check read, in words: the value, its origin and detail.
func fieldText(c *model.Cluster, k *check.Check) string {
	switch k {
	case logs:
		l := c.EnabledLogTypes
		return strings.Join(l.Values, ",") + " | " + string(l.Origin) + " | " + l.Detail
	case auth:
		s := c.AuthenticationMode
		return s.Value + " | " + string(s.Origin) + " | " + s.Detail
	}
	s := c.SecretsKeyARN
	return s.Value + " | " + string(s.Origin) + " | " + s.Detail
}

// TestFieldsMatrix reads control plane logging, the authentication mode and the KMS key of secrets
// from aws_eks_cluster (.tf and .tf.json) and from calls of terraform-aws-modules/eks v17 to v21:
// defaults, explicit values, nulls, values Terraform rejects, values known only after apply, and
// dynamic blocks. Each verdict points at the line that decided it (the cluster's when a default did).
func TestFieldsMatrix(t *testing.T) {
	const mod = ".aws_eks_cluster.this[0]"
	const created = "(the KMS key module.defaults creates)"
	tests := []struct {
		name     string
		dir      string
		want     []fieldWant
		clusters int
		problems []string
	}{
		{name: "logs on aws_eks_cluster", dir: "r-logs", clusters: 8, want: []fieldWant{
			fw("aws_eks_cluster.unset", logs, F, 11, "enabled_cluster_log_types is not set: EKS's default, no control plane log type enabled"),
			fw("aws_eks_cluster.all", logs, P, 18, "api,audit,authenticator,controllerManager,scheduler | explicit"),
			fw("aws_eks_cluster.some", logs, F, 24, "on for api, audit only"),
			fw("aws_eks_cluster.empty", logs, F, 30, "enabled_cluster_log_types = [] enables no control plane log type"),
			fw("aws_eks_cluster.null", logs, F, 36, "var.no_logs is null: EKS's default applies"),
			fw("aws_eks_cluster.capital", logs, U, 42, `contains "API", which the AWS provider rejects`),
			fw("aws_eks_cluster.unset_var", logs, U, 48, "var.logs has no value"),
			fw("aws_eks_cluster.set", logs, P, 54, "explicit"),
		}, problems: []string{`main.tf:42: Invalid value: enabled_cluster_log_types contains "API", which is not a control plane log type`}},
		{name: "authentication mode on aws_eks_cluster", dir: "r-access", clusters: 12, want: []fieldWant{
			fw("aws_eks_cluster.unset", auth, F, 11, "no access_config: EKS's CreateCluster default"),
			fw("aws_eks_cluster.no_mode", auth, F, 16, "access_config sets no authentication_mode"),
			fw("aws_eks_cluster.api", auth, P, 28, "API | explicit"),
			fw("aws_eks_cluster.both", auth, P, 35, "API_AND_CONFIG_MAP | explicit"),
			fw("aws_eks_cluster.config_map", auth, F, 42, "CONFIG_MAP | explicit"),
			fw("aws_eks_cluster.lower", auth, U, 50, `authentication_mode = "api", which the AWS provider rejects`),
			fw("aws_eks_cluster.unset_var", auth, U, 58, "var.mode has no value"),
			fw("aws_eks_cluster.null", auth, F, 66, "authentication_mode = null: EKS's CreateCluster default"),
			fw("aws_eks_cluster.twice", auth, U, 74, "more than one access_config block"),
			fw("aws_eks_cluster.dyn_one", auth, P, 83, "API | explicit"),
			fw("aws_eks_cluster.dyn_none", auth, F, 92, `dynamic "access_config" produces no block (for_each = [] is empty)`),
			fw("aws_eks_cluster.dyn_unknown", auth, U, 103, `for_each of dynamic "access_config" is unknown: data.aws_ssm_parameter.modes.insecure_value`),
		}, problems: []string{
			`main.tf:50: Invalid value: authentication_mode = "api" is not an authentication mode`,
			"main.tf:74: Too many access_config blocks",
		}},
		{name: "secrets key on aws_eks_cluster", dir: "r-encryption", clusters: 15, want: []fieldWant{
			fw("aws_eks_cluster.unset", key, F, 24, "no encryption_config: EKS's default encryption uses AWS-owned keys"),
			fw("aws_eks_cluster.literal", key, P, 35, "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab | explicit"),
			fw("aws_eks_cluster.resource_ref", key, P, 46, "aws_kms_key.eks.arn | explicit | key_arn = aws_kms_key.eks.arn is known only after apply (depends on aws_kms_key.eks.arn, known only after apply); it names a key either way"),
			fw("aws_eks_cluster.data_ref", key, P, 56, "data.aws_kms_key.shared.arn | explicit"),
			fw("aws_eks_cluster.module_ref", key, P, 65, "module.kms.key_arn | explicit"),
			fw("aws_eks_cluster.local_ref", key, P, 74, "local.key | explicit | key_arn = local.key is known only after apply"),
			fw("aws_eks_cluster.unset_var", key, U, 83, "var.key has no value"),
			fw("aws_eks_cluster.empty", key, U, 92, `key_arn = var.empty_key is empty`),
			fw("aws_eks_cluster.null", key, U, 101, "key_arn = null is null"),
			fw("aws_eks_cluster.no_provider", key, U, 108, "encryption_config has no provider block"),
			fw("aws_eks_cluster.configmaps", key, U, 117, "which the AWS provider rejects"),
			fw("aws_eks_cluster.dyn_one", key, P, 130, "arn:aws:kms:us-east-1:111111111111:key/d | explicit"),
			fw("aws_eks_cluster.dyn_none", key, F, 140, `dynamic "encryption_config" produces no block`),
			fw("aws_eks_cluster.per_instance[0]", key, P, 154, "key/a"),
			fw("aws_eks_cluster.per_instance[1]", key, P, 154, "key/b"),
		}, problems: []string{
			"main.tf:108: Insufficient provider blocks",
			`main.tf:117: Invalid value: encryption_config resources = ["configmaps"]`,
		}},
		{name: ".tf.json", dir: "r-json", clusters: 3, want: []fieldWant{
			fw("aws_eks_cluster.unset", logs, F, 4, "not set"),
			fw("aws_eks_cluster.unset", auth, F, 4, "no access_config"),
			fw("aws_eks_cluster.unset", key, F, 4, "no encryption_config"),
			fw("aws_eks_cluster.set", logs, P, 12, "explicit"),
			fw("aws_eks_cluster.set", auth, P, 13, "API | explicit"),
			fw("aws_eks_cluster.set", key, P, 14, "aws_kms_key.eks.arn | explicit | key_arn = aws_kms_key.eks.arn is known only after apply"),
			fw("aws_eks_cluster.partial", logs, F, 19, "on for audit only"),
			fw("aws_eks_cluster.partial", auth, F, 20, "CONFIG_MAP | explicit"),
			fw("aws_eks_cluster.partial", key, U, 21, "is empty"),
		}},
		{name: "module v17", dir: "m-v17", clusters: 6, want: []fieldWant{
			fw("module.defaults"+mod, logs, F, 2, `terraform-aws-modules/eks v17 default (version "~> 17.0"): no control plane log type enabled`),
			fw("module.defaults"+mod, auth, F, 2, `terraform-aws-modules/eks v17 (version "~> 17.0") sends no access_config: EKS's CreateCluster default`),
			fw("module.defaults"+mod, key, F, 2, "the module sends no encryption_config"),
			fw("module.logs_null"+mod, logs, U, 12, "v17 counts it with length()"),
			fw("module.key"+mod, key, P, 19, "arn:aws:kms:us-east-1:111111111111:key/a | explicit"),
			fw("module.kms_arg"+mod, key, U, 31, "does not accept"),
			fw("module.auth_arg"+mod, auth, U, 38, "does not accept"),
			fw("module.two_keys"+mod, key, U, 45, "has 2 entries"),
		}, problems: []string{
			`main.tf:31: Unsupported argument: terraform-aws-modules/eks v17 (version "~> 17.0") has no argument "create_kms_key"; 18.25.0 added it`,
			`main.tf:38: Unsupported argument: terraform-aws-modules/eks v17 (version "~> 17.0") has no argument "authentication_mode"; v20 added it`,
			"main.tf:45: Too many encryption_config blocks",
		}},
		{name: "module v18", dir: "m-v18", clusters: 6, want: []fieldWant{
			fw("module.defaults"+mod, logs, F, 6, "audit,api,authenticator | default"),
			fw("module.defaults"+mod, key, F, 6, "sends no encryption_config"),
			fw("module.kms"+mod, key, P, 16, "(the KMS key module.kms creates) | explicit | create_kms_key is true"),
			fw("module.kms_no_entries"+mod, key, F, 20, "the module sends no encryption_config"),
			fw("module.ref"+mod, key, P, 31, "aws_kms_key.eks.arn | explicit | provider_key_arn = aws_kms_key.eks.arn is known only after apply"),
			fw("module.old"+mod, key, U, 38, "terraform-aws-modules/eks 18.20"),
			fw("module.logs_null"+mod, logs, F, 45, "null passes through the module"),
		}, problems: []string{`main.tf:38: Unsupported argument: terraform-aws-modules/eks v18 (version "18.20.0") has no argument "create_kms_key"`}},
		{name: "module v19", dir: "m-v19", clusters: 6, want: []fieldWant{
			fw("module.defaults"+mod, logs, F, 2, "audit,api,authenticator | default"),
			fw("module.defaults"+mod, auth, F, 2, "v19 (version \"~> 19.0\") sends no access_config"),
			fw("module.defaults"+mod, key, P, 2, created+` | default | terraform-aws-modules/eks v19 default (version "~> 19.0"): the module creates a KMS key`),
			fw("module.off"+mod, key, F, 12, "an empty object turns encryption off"),
			fw("module.own"+mod, key, P, 20, "arn:aws:kms:us-east-1:111111111111:key/a | explicit"),
			fw("module.missing_key"+mod, key, U, 26, "has no provider_key_arn and create_kms_key is false"),
			fw("module.auth_arg"+mod, auth, U, 37, "does not accept"),
			fw("module.outposts"+mod, key, F, 44, "local cluster on Outposts"),
		}, problems: []string{`main.tf:37: Unsupported argument: terraform-aws-modules/eks v19 (version "~> 19.0") has no argument "authentication_mode"; v20 added it`}},
		{name: "module v20", dir: "m-v20", clusters: 5, want: []fieldWant{
			fw("module.defaults"+mod, auth, P, 2, `API_AND_CONFIG_MAP | default | terraform-aws-modules/eks v20 default (version "~> 20.0")`),
			fw("module.defaults"+mod, key, P, 2, created),
			fw("module.config_map"+mod, auth, F, 12, "CONFIG_MAP | explicit"),
			fw("module.null_mode"+mod, auth, F, 19, "authentication_mode = null: null passes through the module to aws_eks_cluster"),
			fw("module.all_logs"+mod, logs, P, 26, "explicit"),
			fw("module.enc_null"+mod, key, U, 33, "cluster_encryption_config is null"),
		}},
		{name: "module v21", dir: "m-v21", clusters: 6, want: []fieldWant{
			fw("module.defaults"+mod, logs, F, 3, "audit,api,authenticator | default | terraform-aws-modules/eks v21 default"),
			fw("module.defaults"+mod, auth, P, 3, "API_AND_CONFIG_MAP | default"),
			fw("module.defaults"+mod, key, P, 3, created),
			fw("module.off"+mod, key, F, 13, "encryption_config = null: the module sends no encryption_config"),
			fw("module.own"+mod, key, P, 21, "arn:aws:kms:us-east-1:111111111111:key/a | explicit"),
			fw("module.own"+mod, logs, P, 22, "explicit"),
			fw("module.old_names"+mod, logs, U, 29, "does not accept"),
			fw("module.early"+mod, key, U, 36, `encryption_config is null, which terraform-aws-modules/eks v21 (version "21.0.1") cannot take`),
			fw("module.no_resources"+mod, key, U, 44, "sets no resources"),
		}, problems: []string{`main.tf:29: Unsupported argument: terraform-aws-modules/eks v21 (version "~> 21.0") has no argument "cluster_enabled_log_types"; it is "enabled_log_types" in this version`}},
		{name: "module without a version", dir: "m-unknown", clusters: 2, want: []fieldWant{
			fw("module.bare"+mod, logs, U, 2, "default changed between module versions"),
			fw("module.bare"+mod, auth, U, 2, "default changed between module versions"),
			fw("module.bare"+mod, key, U, 2, "depends on the module version"),
			fw("module.explicit"+mod, logs, P, 10, "explicit"),
			fw("module.explicit"+mod, auth, P, 11, "API | explicit"),
			fw("module.explicit"+mod, key, U, 7, "depends on the module version"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := New().Scan(load(t, filepath.Join("testdata", "hcl", tt.dir)), iac.Options{})
			if len(res.Resources) != tt.clusters {
				var names []string
				for _, r := range res.Resources {
					names = append(names, r.Cluster.Name)
				}
				t.Errorf("clusters = %v, want %d", names, tt.clusters)
			}
			for _, x := range tt.want {
				r := find(t, res, x.cluster)
				o := x.k.Evaluate(r.Cluster)
				text := o.Reason + " | " + fieldText(r.Cluster, x.k)
				if o.Status != x.status {
					t.Errorf("%s %s = %s (%s), want %s", x.cluster, x.k.ID, o.Status, text, x.status)
				}
				if o.Location == nil || o.Location.Line != x.line || !strings.HasPrefix(o.Location.File, "main.tf") {
					t.Errorf("%s %s location = %v, want main.tf:%d", x.cluster, x.k.ID, o.Location, x.line)
				}
				if !strings.Contains(text, x.text) {
					t.Errorf("%s %s: %q does not contain %q", x.cluster, x.k.ID, text, x.text)
				}
			}
			probs := problemStrings(res.Problems)
			for _, p := range tt.problems {
				if !strings.Contains(probs, p) {
					t.Errorf("problems:\n%s\nwant one containing %q", probs, p)
				}
			}
			if len(res.Problems) != len(tt.problems) {
				t.Errorf("problems:\n%s\nwant %d", probs, len(tt.problems))
			}
			for _, p := range res.Problems {
				if p.Code != finding.ProblemInvalid {
					t.Errorf("problem %s has code %q, want %q", p, p.Code, finding.ProblemInvalid)
				}
			}
		})
	}
}

// TestPlanFields reads logging, the authentication mode and the secrets key from a plan: values,
// nulls, what is known only after apply (a key created in the same apply still names a key; an unset
// access_config is EKS's default), and state values of an existing cluster without access_config.
func TestPlanFields(t *testing.T) {
	const file = "fields-1.2.json"
	want := []fieldWant{
		fw("aws_eks_cluster.all", logs, P, 6, "explicit"),
		fw("aws_eks_cluster.all", auth, P, 6, "API | explicit"),
		fw("aws_eks_cluster.all", key, P, 6, "arn:aws:kms:us-east-1:111111111111:key/a | explicit"),
		fw("aws_eks_cluster.defaults", logs, F, 21, "enabled_cluster_log_types is null in the plan"),
		fw("aws_eks_cluster.defaults", auth, F, 21, "access_config is not set in the configuration (the plan shows it as known after apply): EKS's CreateCluster default"),
		fw("aws_eks_cluster.defaults", key, F, 21, "no encryption_config in the plan"),
		fw("aws_eks_cluster.after_apply", logs, U, 35, "enabled_cluster_log_types is known only after apply (depends on data.aws_ssm_parameter.logs.insecure_value)"),
		fw("aws_eks_cluster.after_apply", auth, F, 35, "access_config sets no authentication_mode in the configuration"),
		fw("aws_eks_cluster.after_apply", key, P, 35, "aws_kms_key.eks.arn | explicit | encryption_config[0].provider[0].key_arn is known only after apply (depends on aws_kms_key.eks.arn); it names a key either way"),
		fw("aws_eks_cluster.mode_from_var", auth, U, 54, "access_config[0].authentication_mode is known only after apply (depends on aws_ssm_parameter.mode.value)"),
		fw("aws_eks_cluster.legacy", logs, F, 67, "on for audit only"),
		fw("aws_eks_cluster.legacy", auth, U, 67, "have no access_config"),
		fw("aws_eks_cluster.legacy", key, F, 67, "no encryption_config"),
		fw("module.eks.aws_eks_cluster.this[0]", logs, F, 77, "audit,api,authenticator | explicit"),
		fw("module.eks.aws_eks_cluster.this[0]", auth, P, 77, "API_AND_CONFIG_MAP | explicit"),
		fw("module.eks.aws_eks_cluster.this[0]", key, P, 77, "(a KMS key known only after apply) | explicit"),
	}
	p := filepath.Join("testdata", "plan", file)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	res := New().Scan(&iac.Input{Files: []*iac.File{{Path: p, Name: file, Data: data}}}, iac.Options{})
	if len(res.Problems) > 0 || len(res.Resources) != 6 {
		t.Fatalf("%d clusters, problems %v", len(res.Resources), res.Problems)
	}
	for _, x := range want {
		r := find(t, res, x.cluster)
		o := x.k.Evaluate(r.Cluster)
		text := o.Reason + " | " + fieldText(r.Cluster, x.k)
		if o.Status != x.status {
			t.Errorf("%s %s = %s (%s), want %s", x.cluster, x.k.ID, o.Status, text, x.status)
		}
		if o.Location == nil || o.Location.File != file || o.Location.Line != x.line {
			t.Errorf("%s %s location = %v, want %s:%d", x.cluster, x.k.ID, o.Location, file, x.line)
		}
		if !strings.Contains(text, x.text) {
			t.Errorf("%s %s: %q does not contain %q", x.cluster, x.k.ID, text, x.text)
		}
	}
}
