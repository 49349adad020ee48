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
			Updates: []model.Update{{ID: "u1", Type: "EndpointAccessUpdate", Status: "InProgress", Params: map[string]string{"EndpointPublicAccess": "false"}}}}},
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
}

func TestParseErrors(t *testing.T) {
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
	if err := Write(&buf, finding.Tool{}, &model.Inventory{Clusters: []*model.Cluster{}, Errors: []model.Error{}, Skipped: []model.Skip{}}); err != nil || !strings.Contains(buf.String(), `"snapshotVersion": "1"`) {
		t.Errorf("Write = %v, %s", err, buf.String())
	}
}
