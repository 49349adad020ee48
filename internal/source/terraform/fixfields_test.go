package terraform

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

const testKey = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"

var (
	allLogs  = model.Settings{EnabledLogTypes: model.LogTypes}
	toAPI    = model.Settings{AuthenticationMode: model.Ptr(model.AuthAPIAndConfigMap)}
	toKey    = model.Settings{SecretsKeyARN: model.Ptr(testKey)}
	allThree = model.Settings{EnabledLogTypes: model.LogTypes, AuthenticationMode: model.Ptr(model.AuthAPIAndConfigMap), SecretsKeyARN: model.Ptr(testKey)}
)

// TestFixFieldsRescan writes logging, the authentication mode and the secrets key into resources,
// .tf.json and module calls of each version, applies the edit and scans again: the settings must then
// read as written, no new problem may appear, and a second fix must find nothing to do. Where the
// text matters, the edited file must contain it.
func TestFixFieldsRescan(t *testing.T) {
	tests := []struct {
		name, dir, cluster string
		want               model.Settings
		edits              int
		// file must contain contains after the edit, when set.
		file, contains string
	}{
		{name: "logs inserted after the resource's arguments", dir: "r-logs", cluster: "aws_eks_cluster.unset", want: allLogs, edits: 1,
			file: "main.tf", contains: `resource "aws_eks_cluster" "unset" {
  name = "unset"

  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  vpc_config { subnet_ids = ["subnet-1"] }
}`},
		{name: "logs replaced", dir: "r-logs", cluster: "aws_eks_cluster.some", want: allLogs, edits: 1,
			file: "main.tf", contains: `  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
  vpc_config { subnet_ids = ["subnet-1"] }`},
		{name: "logs from an unset variable replaced", dir: "r-logs", cluster: "aws_eks_cluster.unset_var", want: allLogs, edits: 1},
		{name: "access_config inserted as the last block", dir: "r-access", cluster: "aws_eks_cluster.unset", want: toAPI, edits: 1,
			file: "main.tf", contains: `resource "aws_eks_cluster" "unset" {
  name = "unset"
  vpc_config { subnet_ids = ["subnet-1"] }

  access_config {
    authentication_mode = "API_AND_CONFIG_MAP"
  }
}`},
		{name: "authentication_mode added to access_config", dir: "r-access", cluster: "aws_eks_cluster.no_mode", want: toAPI, edits: 1,
			file: "main.tf", contains: `  access_config {
    authentication_mode = "API_AND_CONFIG_MAP"

    bootstrap_cluster_creator_admin_permissions = true
  }`},
		{name: "authentication_mode replaced", dir: "r-access", cluster: "aws_eks_cluster.config_map", want: toAPI, edits: 1},
		{name: "authentication_mode replaced in a one-line block", dir: "r-access", cluster: "aws_eks_cluster.null", want: toAPI, edits: 1},
		{name: "encryption_config inserted", dir: "r-encryption", cluster: "aws_eks_cluster.unset", want: toKey, edits: 1,
			file: "main.tf", contains: `resource "aws_eks_cluster" "unset" {
  name = "unset"
  vpc_config { subnet_ids = ["subnet-1"] }

  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = "` + testKey + `"
    }
  }
}`},
		{name: "an empty key is changed in its variable's default", dir: "r-encryption", cluster: "aws_eks_cluster.empty", want: toKey, edits: 1,
			file: "main.tf", contains: `variable "empty_key" {
  type    = string
  default = "` + testKey + `"
}`},
		{name: "provider block added to encryption_config", dir: "r-encryption", cluster: "aws_eks_cluster.no_provider", want: toKey, edits: 1,
			file: "main.tf", contains: `  encryption_config {
    resources = ["secrets"]

    provider {
      key_arn = "` + testKey + `"
    }
  }`},
		{name: "resources and key replaced", dir: "r-encryption", cluster: "aws_eks_cluster.configmaps", want: toKey, edits: 1},
		{name: "all three at once, with the endpoint", dir: "a-defaults", cluster: "aws_eks_cluster.main", want: withPrivate(allThree), edits: 3},
		{name: "json: properties and objects inserted", dir: "r-json", cluster: "aws_eks_cluster.unset", want: allThree, edits: 1,
			file: "main.tf.json", contains: `      "unset": {
        "enabled_cluster_log_types": ["api", "audit", "authenticator", "controllerManager", "scheduler"],
        "access_config": {"authentication_mode": "API_AND_CONFIG_MAP"},
        "encryption_config": {"resources": ["secrets"], "provider": {"key_arn": "` + testKey + `"}},
        "name": "unset",`},
		{name: "json: values replaced", dir: "r-json", cluster: "aws_eks_cluster.partial", want: allThree, edits: 3,
			file: "main.tf.json", contains: `"encryption_config": {"resources": ["secrets"], "provider": {"key_arn": "` + testKey + `"}},`},
		{name: "module v17 arguments", dir: "m-v17", cluster: "module.defaults.aws_eks_cluster.this[0]", want: withoutAuth(allThree), edits: 1,
			file: "main.tf", contains: `module "defaults" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 17.0"

  cluster_enabled_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
  cluster_encryption_config = [{ provider_key_arn = "` + testKey + `", resources = ["secrets"] }]

  cluster_name = "defaults"
}`},
		{name: "module v18: the module's own key turned off", dir: "m-v18", cluster: "module.kms_no_entries.aws_eks_cluster.this[0]", want: toKey, edits: 2,
			file: "main.tf", contains: `  cluster_encryption_config = [{ provider_key_arn = "` + testKey + `", resources = ["secrets"] }]

  cluster_name   = "kms_no_entries"
  create_kms_key = false`},
		{name: "module v18 without create_kms_key", dir: "m-v18", cluster: "module.defaults.aws_eks_cluster.this[0]", want: toKey, edits: 1,
			file: "main.tf", contains: `  cluster_encryption_config = [{ provider_key_arn = "` + testKey + `", resources = ["secrets"] }]`},
		{name: "module v19 object and create_kms_key", dir: "m-v19", cluster: "module.off.aws_eks_cluster.this[0]", want: toKey, edits: 2,
			file: "main.tf", contains: `  version = "~> 19.0"

  create_kms_key = false

  cluster_name              = "off"
  cluster_encryption_config = { provider_key_arn = "` + testKey + `", resources = ["secrets"] }`},
		{name: "module v20 authentication_mode replaced", dir: "m-v20", cluster: "module.config_map.aws_eks_cluster.this[0]", want: toAPI, edits: 1,
			file: "main.tf", contains: `  authentication_mode = "API_AND_CONFIG_MAP"`},
		{name: "module v21 names", dir: "m-v21", cluster: "module.off.aws_eks_cluster.this[0]", want: merge(allLogs, toKey), edits: 2,
			file: "main.tf", contains: `module "off" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 21.0"

  enabled_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
  create_kms_key    = false

  name              = "off"
  encryption_config = { provider_key_arn = "` + testKey + `", resources = ["secrets"] }
}`},
		{name: "child module: caller arguments, not the module", dir: "r-child", cluster: "module.cluster.aws_eks_cluster.this", want: merge(allLogs, toAPI), edits: 2,
			file: "main.tf", contains: `module "cluster" {
  source = "./modules/cluster"

  mode = "API_AND_CONFIG_MAP"

  logs = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
  key  = aws_kms_key.eks.arn
}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyFixture(t, tt.dir)
			before := New().Scan(load(t, dir), iac.Options{})
			r := find(t, before, tt.cluster)
			fix, skipped, err := iac.PlanFix(r, tt.want.Pending(r.Cluster))
			if err != nil || len(skipped) > 0 || fix == nil {
				t.Fatalf("fix: %v, skipped %v", err, skipped)
			}
			if len(fix.Edits) != tt.edits {
				t.Errorf("edits = %+v, want %d", fix.Edits, tt.edits)
			}
			applyFix(t, fix)
			if tt.contains != "" {
				got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(tt.file)))
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(string(got), tt.contains) {
					t.Errorf("%s after the fix (%s):\n%s\nwant it to contain:\n%s", tt.file, fix.Description, got, tt.contains)
				}
			}
			after := New().Scan(load(t, dir), iac.Options{})
			old := map[string]bool{}
			for _, p := range before.Problems {
				old[p.Message] = true
			}
			for _, p := range after.Problems {
				if !old[p.Message] {
					t.Errorf("new problem after the fix: %s", p)
				}
			}
			c := find(t, after, tt.cluster).Cluster
			if left := tt.want.Pending(c); !left.Empty() {
				t.Errorf("after the fix (%s), still to do: %v (logs %+v, mode %+v, key %+v)", fix.Description, left.Fields(), c.EnabledLogTypes, c.AuthenticationMode, c.SecretsKeyARN)
			}
			for _, k := range []*check.Check{logs, auth, key} {
				if wants(tt.want, k) {
					if o := k.Evaluate(c); o.Status != finding.Pass {
						t.Errorf("after the fix: %s = %s (%s)", k.ID, o.Status, o.Reason)
					}
				}
			}
			again, err := fixFor(find(t, after, tt.cluster), tt.want)
			if err != nil || len(again.Edits) != 0 {
				t.Errorf("fix after the fix: %v, %+v", err, again)
			}
		})
	}
}

func withPrivate(s model.Settings) model.Settings { return merge(s, toPrivate) }

func merge(a, b model.Settings) model.Settings {
	m, _ := a.Merge(b)
	return m
}

func withoutAuth(s model.Settings) model.Settings { return s.Without(model.FieldAuthenticationMode) }

// wants reports whether settings aim at what a check reads.
func wants(s model.Settings, k *check.Check) bool {
	for _, f := range s.Fields() {
		for _, r := range k.Reads {
			if f == r {
				return true
			}
		}
	}
	return false
}

// TestFixFieldsRefused covers settings that cannot be written: each is skipped with why, and the
// others are still written.
func TestFixFieldsRefused(t *testing.T) {
	tests := []struct {
		name, dir, cluster string
		want               model.Settings
		field              model.Field
		reason             string
		// written is set when the other settings must still get an edit.
		written bool
	}{
		{"module v19 has no authentication_mode", "m-v19", "module.defaults.aws_eks_cluster.this[0]", merge(allLogs, toAPI), model.FieldAuthenticationMode, "v20 added it", true},
		{"module v17 has no authentication_mode", "m-v17", "module.defaults.aws_eks_cluster.this[0]", toAPI, model.FieldAuthenticationMode, "terraform-aws-modules/eks v17", false},
		{"dynamic access_config", "r-access", "aws_eks_cluster.dyn_none", merge(allLogs, toAPI), model.FieldAuthenticationMode, `dynamic "access_config"`, true},
		{"dynamic encryption_config", "r-encryption", "aws_eks_cluster.dyn_none", merge(allLogs, toKey), model.FieldSecretsKeyARN, `dynamic "encryption_config"`, true},
		{"key differs per instance", "r-encryption", "aws_eks_cluster.per_instance[0]", merge(allLogs, toKey), model.FieldSecretsKeyARN, "differs per instance", true},
		{"two access_config blocks", "r-access", "aws_eks_cluster.twice", toAPI, model.FieldAuthenticationMode, "more than one access_config", false},
		{"outposts", "m-v19", "module.outposts.aws_eks_cluster.this[0]", toKey, model.FieldSecretsKeyARN, "Outposts", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := New().Scan(load(t, filepath.Join("testdata", "hcl", tt.dir)), iac.Options{})
			r := find(t, res, tt.cluster)
			_, err := r.Fix(tt.want)
			var fe *iac.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || !strings.Contains(fe.Reason, tt.reason) {
				t.Fatalf("fix error = %v, want a field error for %s mentioning %q", err, tt.field, tt.reason)
			}
			fix, skipped, err := iac.PlanFix(r, tt.want)
			if err != nil || skipped[tt.field] == "" {
				t.Fatalf("PlanFix = %v, skipped %v", err, skipped)
			}
			if got := fix != nil && len(fix.Edits) > 0; got != tt.written {
				t.Errorf("the other settings written = %v, want %v (%+v)", got, tt.written, fix)
			}
		})
	}
}
