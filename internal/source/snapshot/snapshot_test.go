package snapshot

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

func TestRoundTrip(t *testing.T) {
	created := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	inv := &model.Inventory{
		CollectedAt: created, Caller: "arn:aws:iam::111111111111:user/x",
		Clusters: []*model.Cluster{{Name: "prod", Account: "111111111111", Region: "us-east-1", Source: model.SourceAWS, Status: "ACTIVE", CreatedAt: &created,
			EndpointPublicAccess: model.Explicit(true), EndpointPrivateAccess: model.Unknown("endpointPrivateAccess missing"), PublicAccessCIDRs: model.ExplicitList("0.0.0.0/1", "128.0.0.0/1"),
			EnabledLogTypes: model.ExplicitList("api", "audit"), AuthenticationMode: model.UnknownString("accessConfig is missing from the DescribeCluster response"),
			SecretsKeyARN: model.DefaultString("", "no encryptionConfig in the DescribeCluster response"),
			Updates:       []model.Update{{ID: "u1", Type: "EndpointAccessUpdate", Status: "InProgress", Params: map[string]string{"EndpointPublicAccess": "false"}}}},
			{Name: "all-known", Account: "111111111111", Region: "us-east-1", Source: model.SourceAWS, Status: "ACTIVE",
				EndpointPublicAccess: model.Explicit(false), EndpointPrivateAccess: model.Explicit(true), PublicAccessCIDRs: model.ExplicitList(),
				EnabledLogTypes: model.ExplicitList(), AuthenticationMode: model.ExplicitString("API"), SecretsKeyARN: model.ExplicitString("arn:aws:kms:us-east-1:111111111111:key/k")},
			{Name: "all-unknown", Account: "111111111111", Region: "us-east-1", Source: model.SourceAWS, Status: "ACTIVE",
				EndpointPublicAccess: model.Unknown("x"), EndpointPrivateAccess: model.Unknown("x"), PublicAccessCIDRs: model.UnknownList("x"),
				EnabledLogTypes: model.UnknownList("logging is missing"), AuthenticationMode: model.UnknownString("y"), SecretsKeyARN: model.UnknownString("z")}},
		Errors:  []model.Error{{Account: "111111111111", Region: "eu-west-1", Operation: "eks:ListClusters", Message: "boom"}},
		Skipped: []model.Skip{{Account: "222222222222", Reason: "suspended"}},
	}
	path := filepath.Join(t.TempDir(), "snap.json")
	if err := Save(context.Background(), path, finding.Tool{Name: "eksguard", Version: "t"}, inv); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, inv) {
		t.Errorf("round trip differs:\n got %+v\nwant %+v", got, inv)
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), `"snapshotVersion": "4"`) {
		t.Errorf("saved as %.60s, want version 2", data)
	}
}

// A version 1 snapshot still loads; its clusters get the settings eksguard did not read then as
// unknown, whatever the file says of them, so no verdict is drawn from a value nobody recorded.
func TestReadsVersion1(t *testing.T) {
	v1 := `{"snapshotVersion":"1","tool":{"name":"eksguard","version":"0.1.0"},"inventory":{"collectedAt":"2026-01-01T00:00:00Z","clusters":[` +
		`{"name":"old","account":"111111111111","region":"us-east-1","source":"aws","status":"ACTIVE",` +
		`"endpointPublicAccess":{"value":false,"origin":"explicit"},"endpointPrivateAccess":{"value":true,"origin":"explicit"},"publicAccessCidrs":{"values":[],"origin":"explicit"}},` +
		// What the build between the model change and the adapters wrote: the new members with no origin.
		`{"name":"between","account":"111111111111","region":"us-east-1","source":"aws","status":"ACTIVE",` +
		`"endpointPublicAccess":{"value":true,"origin":"explicit"},"endpointPrivateAccess":{"value":true,"origin":"explicit"},"publicAccessCidrs":{"values":[],"origin":"explicit"},` +
		`"enabledLogTypes":{"values":null,"origin":""},"authenticationMode":{"value":"","origin":""},"secretsKeyArn":{"value":"","origin":"explicit"}}` +
		`],"errors":[],"skipped":[]}}`
	inv, err := Parse("old.json", []byte(v1))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range inv.Clusters {
		if !c.EndpointPrivateAccess.Known() || !c.EndpointPrivateAccess.Value {
			t.Errorf("%s: endpoint settings lost: %+v", c.Name, c.EndpointPrivateAccess)
		}
		for field, f := range map[string]struct {
			origin model.Origin
			detail string
		}{
			"enabledLogTypes":    {c.EnabledLogTypes.Origin, c.EnabledLogTypes.Detail},
			"authenticationMode": {c.AuthenticationMode.Origin, c.AuthenticationMode.Detail},
			"secretsKeyArn":      {c.SecretsKeyARN.Origin, c.SecretsKeyARN.Detail},
		} {
			if f.origin != model.OriginUnknown || !strings.Contains(f.detail, "the snapshot is version 1, saved before eksguard read") {
				t.Errorf("%s %s = %s %q, want unknown saying the snapshot predates it", c.Name, field, f.origin, f.detail)
			}
		}
		if c.EnabledLogTypes.Values == nil {
			t.Errorf("%s: enabledLogTypes values are nil", c.Name)
		}
	}
	if d := inv.Clusters[0].SecretsKeyARN.Detail; !strings.Contains(d, "read encryptionConfig") {
		t.Errorf("secretsKeyArn detail %q does not name what eksguard reads", d)
	}
}

func TestParseErrors(t *testing.T) {
	endpoints := `"endpointPublicAccess":{"value":true,"origin":"explicit"},"endpointPrivateAccess":{"value":true,"origin":"explicit"},"publicAccessCidrs":{"values":[],"origin":"explicit"}`
	controls := `"enabledLogTypes":{"values":[],"origin":"explicit"},"authenticationMode":{"value":"API","origin":"explicit"},"secretsKeyArn":{"value":"arn:k","origin":"explicit"}`
	if _, err := Parse("snap.json", []byte(`{"snapshotVersion":"2","inventory":{"clusters":[{"name":"a","source":"aws",`+endpoints+`,`+controls+`}]}}`)); err != nil {
		t.Fatalf("the well-formed base of the cases below is refused: %v", err)
	}
	tests := []struct {
		name, data, want string
	}{
		{"empty", "", "snap.json: empty file"},
		{"syntax error names line and column", "{\n  \"snapshotVersion\": \"1\",\n  \"inventory\": {,}\n}", "snap.json:3:17:"},
		{"truncated", "{\"snapshotVersion\": \"1\", \"inventory\": {\"clusters\": [", "unexpected end of JSON"},
		{"unknown field", `{"snapshotVersion":"1","inventory":{},"extra":1}`, `unknown field "extra"`},
		{"wrong type", "{\"snapshotVersion\": 1}", "snap.json:1:21: snapshotVersion must be string"},
		{"no version", `{"inventory":{}}`, "not an eksguard snapshot"},
		{"future version", `{"snapshotVersion":"9","inventory":{}}`, `snapshotVersion "9" is not supported`},
		{"no inventory", `{"snapshotVersion":"1"}`, "no inventory"},
		{"null cluster", `{"snapshotVersion":"1","inventory":{"clusters":[null]}}`, "cluster 0 is null"},
		{"bad origin", `{"snapshotVersion":"1","inventory":{"clusters":[{"name":"a","source":"aws","endpointPublicAccess":{"value":true,"origin":"guess"},"endpointPrivateAccess":{"value":true,"origin":"explicit"},"publicAccessCidrs":{"values":[],"origin":"explicit"}}]}}`, `has origin "guess"`},
		// An origin that says the value is known, with no value: Go would read false and PASS it.
		{"known origin without a value", `{"snapshotVersion":"1","inventory":{"clusters":[{"name":"a","source":"aws","endpointPublicAccess":{"origin":"explicit"},"endpointPrivateAccess":{"value":true,"origin":"explicit"},"publicAccessCidrs":{"values":[],"origin":"explicit"}}]}}`, `cluster "a": endpointPublicAccess has origin "explicit" but no value`},
		{"default origin with a null value", `{"snapshotVersion":"1","inventory":{"clusters":[{"name":"a","source":"aws","endpointPublicAccess":{"value":true,"origin":"explicit"},"endpointPrivateAccess":{"value":null,"origin":"default"},"publicAccessCidrs":{"values":[],"origin":"explicit"}}]}}`, `endpointPrivateAccess has origin "default" but no value`},
		{"known list without values", `{"snapshotVersion":"1","inventory":{"clusters":[{"name":"a","source":"aws","endpointPublicAccess":{"value":true,"origin":"explicit"},"endpointPrivateAccess":{"value":true,"origin":"explicit"},"publicAccessCidrs":{"origin":"explicit"}}]}}`, `publicAccessCidrs has origin "explicit" but no values`},
		{"version 2 without the new settings", `{"snapshotVersion":"2","inventory":{"clusters":[{"name":"a","source":"aws",` + endpoints + `}]}}`,
			`cluster "a" has no enabledLogTypes (a version 2 snapshot records it for every cluster)`},
		{"version 2 with a bad origin", `{"snapshotVersion":"2","inventory":{"clusters":[{"name":"a","source":"aws",` + endpoints + `,` + strings.Replace(controls, `"arn:k","origin":"explicit"`, `"arn:k","origin":"assumed"`, 1) + `}]}}`,
			`secretsKeyArn has origin "assumed"`},
		{"known log types without values", `{"snapshotVersion":"2","inventory":{"clusters":[{"name":"a","source":"aws",` + endpoints + `,` + strings.Replace(controls, `"values":[],`, ``, 1) + `}]}}`,
			`cluster "a": enabledLogTypes has origin "explicit" but no values`},
		{"known log types with null values", `{"snapshotVersion":"2","inventory":{"clusters":[{"name":"a","source":"aws",` + endpoints + `,` + strings.Replace(controls, `"values":[]`, `"values":null`, 1) + `}]}}`,
			`enabledLogTypes has origin "explicit" but no values`},
		// A missing key would read as "no key" and fail a cluster on a value nobody recorded.
		{"known key without a value", `{"snapshotVersion":"2","inventory":{"clusters":[{"name":"a","source":"aws",` + endpoints + `,` + strings.Replace(controls, `"value":"arn:k",`, ``, 1) + `}]}}`,
			`cluster "a": secretsKeyArn has origin "explicit" but no value`},
		{"default mode with a null value", `{"snapshotVersion":"2","inventory":{"clusters":[{"name":"a","source":"aws",` + endpoints + `,` + strings.Replace(controls, `"value":"API","origin":"explicit"`, `"value":null,"origin":"default"`, 1) + `}]}}`,
			`authenticationMode has origin "default" but no value`},
		{"null registry", `{"snapshotVersion":"3","inventory":{"parts":["ecr-registry"],"registries":[null]}}`, "registry 0 is null"},
		{"registry without a region", `{"snapshotVersion":"3","inventory":{"parts":["ecr-registry"],"registries":[{"account":"1","source":"aws","scanType":{"value":"BASIC","origin":"explicit"},"rules":[],"repositories":[]}]}}`, "registry 0 has no account or region"},
		{"registry with a bad origin", `{"snapshotVersion":"3","inventory":{"parts":["ecr-registry"],"registries":[{"account":"1","region":"r","source":"aws","scanType":{"value":"BASIC","origin":"guess"},"rules":[],"repositories":[]}]}}`, `scanType has origin "guess"`},
		{"registries the parts do not name", `{"snapshotVersion":"3","inventory":{"registries":[{"account":"1","region":"r","source":"aws","scanType":{"value":"BASIC","origin":"explicit"},"rules":[],"repositories":[]}]}}`, "parts do not include ecr-registry"},
		{"trailing data", `{"snapshotVersion":"1","inventory":{}} {}`, "unexpected data after the JSON document"},
		{"a report is not a snapshot", `{"schemaVersion":"1","results":[]}`, `unknown field "schemaVersion"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("snap.json", []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestSaveLeavesNoPartialFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "missing-dir", "snap.json")
	if err := Save(context.Background(), path, finding.Tool{}, &model.Inventory{}); err == nil {
		t.Fatal("saving into a missing folder succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("left files behind: %v", entries)
	}
	var buf bytes.Buffer
	if err := Write(&buf, finding.Tool{}, &model.Inventory{Clusters: []*model.Cluster{}, Errors: []model.Error{}, Skipped: []model.Skip{}}); err != nil || !strings.Contains(buf.String(), `"snapshotVersion": "4"`) {
		t.Errorf("Write = %v, %s", err, buf.String())
	}
}
