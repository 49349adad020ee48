package cloudformation

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac"
)

// setting is one read setting, written for comparison: origin, value, line (0 when the resource
// decides) and detail.
type setting struct {
	origin model.Origin
	value  string
	line   int
	detail string // substring
}

func readSetting(f model.Field, c *model.Cluster) setting {
	line := func(l *model.Location) int {
		if l == nil {
			return 0
		}
		return l.Line
	}
	switch f {
	case model.FieldEnabledLogTypes:
		v := c.EnabledLogTypes
		return setting{v.Origin, strings.Join(v.Values, ","), line(v.Loc), v.Detail}
	case model.FieldAuthenticationMode:
		v := c.AuthenticationMode
		return setting{v.Origin, v.Value, line(v.Loc), v.Detail}
	}
	v := c.SecretsKeyARN
	return setting{v.Origin, v.Value, line(v.Loc), v.Detail}
}

// TestSettings covers the settings beside the endpoint in every resource type: defaults, explicit
// values, values through parameters, conditions and AWS::NoValue, keys known only at deploy time,
// and what makes each unknown.
func TestSettings(t *testing.T) {
	E, D, U := model.OriginExplicit, model.OriginDefault, model.OriginUnknown
	logs, mode, key := model.FieldEnabledLogTypes, model.FieldAuthenticationMode, model.FieldSecretsKeyARN
	all := strings.Join(model.LogTypes, ",")
	tests := []struct {
		file, resource string
		field          model.Field
		want           setting
	}{
		// Nothing written: EKS's defaults, decided at the resource.
		{"settings.yaml", "Defaults", logs, setting{D, "", 0, "AWS default: no control plane log types enabled"}},
		{"settings.yaml", "Defaults", mode, setting{D, "CONFIG_MAP", 0, "CreateCluster without AccessConfig.AuthenticationMode gives CONFIG_MAP"}},
		{"settings.yaml", "Defaults", key, setting{D, "", 0, "no EncryptionConfig entry for secrets"}},
		// Literal values, block and flow.
		{"settings.yaml", "Everything", logs, setting{E, all, 40, ""}},
		{"settings.yaml", "Everything", mode, setting{E, "API", 47, ""}},
		{"settings.yaml", "Everything", key, setting{E, "arn:aws:kms:us-east-1:111111111111:key/literal", 51, ""}},
		{"settings.yaml", "Partial", logs, setting{E, "audit,api", 57, ""}},
		{"settings.yaml", "Partial", mode, setting{E, "CONFIG_MAP", 58, ""}},
		{"settings.yaml", "Partial", key, setting{D, "", 59, "no EncryptionConfig entry for secrets"}},
		// Through intrinsics that resolve.
		{"settings.yaml", "FromParameters", logs, setting{E, "api,audit", 66, ""}},
		{"settings.yaml", "FromParameters", mode, setting{E, "API", 71, "parameter Mode Default"}},
		{"settings.yaml", "FromParameters", key, setting{E, "arn:aws:kms:us-east-1:111111111111:key/param-default", 75, "parameter KeyArn Default"}},
		// Known only at deploy time: unknown, except a key, which certainly exists.
		{"settings.yaml", "DeployTime", logs, setting{U, "", 82, "condition IsProd cannot be evaluated (parameter Stage has no Default)"}},
		{"settings.yaml", "DeployTime", mode, setting{U, "", 85, "parameter ModeNoDefault has no Default"}},
		{"settings.yaml", "DeployTime", key, setting{E, "Fn::GetAtt Key.Arn", 89, "known only at deploy time"}},
		{"settings.yaml", "NoValues", logs, setting{D, "", 94, "no control plane log types"}},
		{"settings.yaml", "NoValues", mode, setting{D, "CONFIG_MAP", 96, "(AWS::NoValue)"}},
		{"settings.yaml", "NoValues", key, setting{E, "Ref KeyNoDefault", 100, "known only at deploy time"}},
		{"settings.yaml", "Imported", logs, setting{D, "", 0, "no control plane log types"}},
		{"settings.yaml", "Imported", key, setting{E, "Fn::ImportValue shared-secrets-key", 122, "known only at deploy time"}},
		{"settings.yaml", "Substituted", key, setting{E, `Fn::Sub "arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/abcd"`, 130, "known only at deploy time"}},
		// Values CloudFormation or EKS would reject, and decisions nobody can make yet.
		{"settings.yaml", "BadValues", logs, setting{U, "", 107, `lists "Audit", which is not a control plane log type (api, audit, authenticator, controllerManager, scheduler), so CloudFormation would reject it`}},
		{"settings.yaml", "BadValues", mode, setting{U, "", 110, "condition IsProd cannot be evaluated"}},
		{"settings.yaml", "BadValues", key, setting{U, "", 111, "EncryptionConfig[0], the entry for secrets, has no Provider.KeyArn, which EKS requires"}},
		{"settings.yaml", "KeyFromIf", key, setting{U, "", 135, "condition IsProd cannot be evaluated"}},
		{"settings.yaml", "ResourcesUnknown", key, setting{U, "", 140, "parameter EncryptedResources has no Default"}},
		{"settings.yaml", "ConditionalConfig", mode, setting{U, "", 148, "Properties.AccessConfig depends on condition IsProd"}},
		{"settings.yaml", "ConditionalConfig", key, setting{U, "", 149, "condition IsProd cannot be evaluated"}},
		// JSON.
		{"settings.json", "JsonDefaults", mode, setting{D, "CONFIG_MAP", 0, "AWS default"}},
		{"settings.json", "JsonPartial", logs, setting{E, "audit", 15, ""}},
		{"settings.json", "JsonPartial", mode, setting{E, "CONFIG_MAP", 16, ""}},
		{"settings.json", "JsonPartial", key, setting{U, "", 17, "has no Provider.KeyArn"}},
		{"settings.json", "JsonDeployTime", logs, setting{U, "", 28, "has a Type that is AWS::NoValue"}},
		{"settings.json", "JsonDeployTime", mode, setting{U, "", 29, "Fn::ImportValue mode is only known at deploy time"}},
		{"settings.json", "JsonDeployTime", key, setting{E, "Fn::GetAtt Key.Arn", 30, "known only at deploy time"}},
		// AWSQS::EKS::Cluster: logging as a list of types, no access configuration.
		{"awsqs-settings.yaml", "QuickStartLogs", logs, setting{E, all, 11, ""}},
		{"awsqs-settings.yaml", "QuickStartLogs", mode, setting{D, "CONFIG_MAP", 0, "AWSQS::EKS::Cluster has no AccessConfig"}},
		{"awsqs-settings.yaml", "QuickStartLogs", key, setting{E, "arn:aws:kms:us-east-1:111111111111:key/quickstart", 15, ""}},
		{"awsqs-settings.yaml", "QuickStartNone", logs, setting{E, "audit", 22, ""}},
		{"awsqs-settings.yaml", "QuickStartNone", key, setting{D, "", 0, "no EncryptionConfig entry"}},
		// CDK output: the custom resource's Config is CreateCluster's request, the native type as above.
		{"cdk.out/SettingsStack.template.json", "LoggedCluster", logs, setting{E, all, 19, ""}},
		{"cdk.out/SettingsStack.template.json", "LoggedCluster", mode, setting{E, "API_AND_CONFIG_MAP", 33, ""}},
		{"cdk.out/SettingsStack.template.json", "LoggedCluster", key, setting{E, "Fn::GetAtt SecretsKey.Arn", 38, "known only at deploy time"}},
		{"cdk.out/SettingsStack.template.json", "PlainCluster", logs, setting{D, "", 0, "no control plane log types"}},
		{"cdk.out/SettingsStack.template.json", "PlainCluster", mode, setting{D, "CONFIG_MAP", 0, "the CDK cluster handler passes Config to CreateCluster"}},
		{"cdk.out/SettingsStack.template.json", "PlainCluster", key, setting{D, "", 0, "no EncryptionConfig entry"}},
		{"cdk.out/SettingsStack.template.json", "StringFlags", logs, setting{E, "api,audit", 73, ""}},
		{"cdk.out/SettingsStack.template.json", "NativeLogged", logs, setting{E, "audit", 96, ""}},
		{"cdk.out/SettingsStack.template.json", "NativeLogged", mode, setting{E, "API", 104, ""}},
		{"cdk.out/SettingsStack.template.json", "NativeLogged", key, setting{E, "Fn::GetAtt SecretsKey.Arn", 110, ""}},
	}
	results := map[string]iac.Result{}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.resource+"/"+string(tt.field), func(t *testing.T) {
			res, ok := results[tt.file]
			if !ok {
				res = scan(readFile(t, "testdata/"+tt.file, false))
				results[tt.file] = res
				if len(res.Problems) > 0 {
					t.Fatalf("problems %v", res.Problems)
				}
			}
			r := findResource(res, tt.resource)
			if r == nil {
				t.Fatal("no such resource")
			}
			got := readSetting(tt.field, r.Cluster)
			if got.origin != tt.want.origin || got.value != tt.want.value || got.line != tt.want.line || !strings.Contains(got.detail, tt.want.detail) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestSettingsVerdicts: what the checks make of the settings read.
func TestSettingsVerdicts(t *testing.T) {
	P, F, U := finding.Pass, finding.Fail, finding.Unknown
	tests := []struct {
		file, resource   string
		logs, mode, keys finding.Status
	}{
		{"settings.yaml", "Defaults", F, F, F},
		{"settings.yaml", "Everything", P, P, P},
		{"settings.yaml", "Partial", F, F, F},
		{"settings.yaml", "DeployTime", U, U, P},
		{"settings.yaml", "BadValues", U, U, U},
		{"awsqs-settings.yaml", "QuickStartLogs", P, F, P},
		{"cdk.out/SettingsStack.template.json", "LoggedCluster", P, P, P},
		{"cdk.out/SettingsStack.template.json", "StringFlags", F, F, F},
	}
	for _, tt := range tests {
		t.Run(tt.resource, func(t *testing.T) {
			c := findResource(scan(readFile(t, "testdata/"+tt.file, false)), tt.resource).Cluster
			got := []finding.Status{check.AuditLogging.Evaluate(c).Status, check.AccessAPI.Evaluate(c).Status, check.SecretsEncryption.Evaluate(c).Status}
			if want := []finding.Status{tt.logs, tt.mode, tt.keys}; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("logging, access, encryption %v, want %v", got, want)
			}
		})
	}
}

// fixSkips lists, per resource, the settings its fix must leave out, with why.
var fixSkips = map[string]map[model.Field]string{
	"NoValues":          {model.FieldEnabledLogTypes: "Properties.Logging is computed by !Ref; edit it by hand"},
	"ResourcesUnknown":  {model.FieldSecretsKeyARN: "whether EncryptionConfig has an entry for secrets is not known"},
	"ConditionalConfig": {model.FieldAuthenticationMode: "Properties.AccessConfig is computed by !If; edit it by hand"},
	"QuickStartNone":    {model.FieldAuthenticationMode: "AWSQS::EKS::Cluster has no property for the authentication mode"},
	"QuickStartLogs":    {model.FieldAuthenticationMode: "AWSQS::EKS::Cluster has no property for the authentication mode"},
	"IfWholeConfig":     nil,
}

// TestFixSettings asks every resource for the settings of each check it does not pass (as eksguard
// iac does, but for UNKNOWN too, so that computed values are written over), applies the edit, reads
// the file again and requires every check asked to pass, no other resource to change and the file to
// stay valid. The edits are kept in golden files.
func TestFixSettings(t *testing.T) {
	opts := check.Options{Endpoint: check.TargetPrivate, KMSKeyARN: exampleKey}
	for _, name := range []string{"settings.yaml", "settings.json", "awsqs-settings.yaml"} {
		orig := readFile(t, "testdata/"+name, false)
		before := scan(orig)
		var golden strings.Builder
		for i, r := range before.Resources {
			id := r.Cluster.Name
			t.Run(name+"/"+id, func(t *testing.T) {
				fmt.Fprintf(&golden, "== %s\n", id)
				want, asked, conflicts := check.Wanted(r.Cluster, opts)
				if len(conflicts) > 0 {
					t.Fatalf("conflicting settings %v", conflicts)
				}
				if want.Empty() {
					fmt.Fprintf(&golden, "compliant\n")
					return
				}
				fx, skipped, err := iac.PlanFix(r, want)
				if err != nil {
					t.Fatal(err)
				}
				var fields []string
				for f, why := range skipped {
					fields = append(fields, string(f))
					if w, ok := fixSkips[id][f]; !ok || !strings.Contains(why, w) {
						t.Errorf("skipped %s: %s, want %q", f, why, w)
					}
				}
				sort.Strings(fields)
				for _, f := range fields {
					fmt.Fprintf(&golden, "skipped %s: %s\n", f, skipped[model.Field(f)])
				}
				if len(skipped) != len(fixSkips[id]) {
					t.Errorf("skipped %v, want %v", skipped, fixSkips[id])
				}
				if fx == nil {
					if len(skipped) == 0 {
						t.Fatal("no fix and nothing skipped")
					}
					return
				}
				fmt.Fprintf(&golden, "%s\n", fx.Description)
				for _, e := range fx.Edits {
					fmt.Fprintf(&golden, "@@ line %d, remove %d\n", e.Line, e.Remove)
					for _, l := range e.Insert {
						fmt.Fprintf(&golden, "+%s\n", l)
					}
				}
				patched, err := finding.ApplyEdits(orig.Data, fx.Edits)
				if err != nil {
					t.Fatal(err)
				}
				after := scan(&iac.File{Path: orig.Path, Name: orig.Name, Data: patched})
				if len(after.Problems) > 0 || len(after.Resources) != len(before.Resources) {
					t.Fatalf("patched file: problems %v, %d resources:\n%s", after.Problems, len(after.Resources), patched)
				}
				fixed := after.Resources[i].Cluster
				for _, k := range asked {
					left := false
					for _, f := range k.Reads {
						_, s := skipped[f]
						left = left || s
					}
					if o := k.Evaluate(fixed); !left && o.Status != finding.Pass {
						t.Errorf("after the fix %s is %s: %s\n%s", k.ID, o.Status, o.Reason, patched)
					}
				}
				for j, o := range before.Resources {
					if j != i && modelOf(o.Cluster) != modelOf(after.Resources[j].Cluster) {
						t.Errorf("fixing %s changed %s:\n%s\n%s", id, o.Cluster.Name, modelOf(o.Cluster), modelOf(after.Resources[j].Cluster))
					}
				}
			})
		}
		compareGolden(t, filepath.Join("testdata", "fix", "settings-"+strings.ReplaceAll(name, "/", "_")+".golden"), golden.String())
	}
}

// modelOf writes what a cluster's settings read as, without lines, which edits above it move.
func modelOf(c *model.Cluster) string {
	return fmt.Sprintf("%s %v/%s/%s %s/%s/%s %s/%s/%s", settings(c), c.EnabledLogTypes.Values, c.EnabledLogTypes.Origin, c.EnabledLogTypes.Detail,
		c.AuthenticationMode.Value, c.AuthenticationMode.Origin, c.AuthenticationMode.Detail,
		c.SecretsKeyARN.Value, c.SecretsKeyARN.Origin, c.SecretsKeyARN.Detail)
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (run go test -update and review the diff):\n%s", path, got)
	}
}

// TestFixSettingsCDK: CDK output gets no edit for any setting; the refusal names the CDK properties.
func TestFixSettingsCDK(t *testing.T) {
	res := scan(readFile(t, "testdata/cdk.out/SettingsStack.template.json", false))
	want := model.Settings{EnabledLogTypes: model.LogTypes, AuthenticationMode: model.Ptr(model.AuthAPIAndConfigMap), SecretsKeyARN: model.Ptr(exampleKey)}
	for _, r := range res.Resources {
		fx, skipped, err := iac.PlanFix(r, want)
		if fx != nil || len(skipped) > 0 || err == nil || !strings.Contains(err.Error(), "is generated by the AWS CDK") || !strings.Contains(err.Error(), "in the CDK app and synth again") {
			t.Errorf("%s: fix %v, skipped %v, error %v", r.Cluster.Name, fx, skipped, err)
		}
	}
}
