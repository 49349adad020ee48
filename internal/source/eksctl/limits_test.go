package eksctl

import (
	"runtime"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/source/iac"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

const configText = `apiVersion: eksctl.io/v1alpha5{1}
kind: ClusterConfig
metadata:
  name: prod
  region: eu-west-1
  tags:
    team: {2}
vpc:
  clusterEndpoints:
    publicAccess: true
    privateAccess: true
  publicAccessCIDRs: {3}`

// TestEncodingProblem: a config saved in Windows-1252 ("é" as the byte 0xE9) is a problem at the line
// and column of the first byte that is not UTF-8, wherever it is.
func TestEncodingProblem(t *testing.T) {
	tests := []struct {
		name, one, two, three string
		want                  string
	}{
		{name: "first line", one: " # caf\xe9", two: "cafe", three: "[203.0.113.0/24]\n",
			want: "c.yaml:1:37: cannot parse eksctl config: invalid trailing UTF-8 octet (byte 0xE9 at column 37)"},
		{name: "middle line", two: "caf\xe9 ", three: "[203.0.113.0/24]\n",
			want: "c.yaml:7:14: cannot parse eksctl config: invalid trailing UTF-8 octet (byte 0xE9 at column 14)"},
		{name: "last line, without a newline", two: "cafe", three: "[203.0.113.0/24] # caf\xe9",
			want: "c.yaml:12:44: cannot parse eksctl config: incomplete UTF-8 octet sequence (byte 0xE9 at column 44)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := strings.NewReplacer("{1}", tt.one, "{2}", tt.two, "{3}", tt.three).Replace(configText)
			res := scan(&iac.File{Name: "c.yaml", Path: "c.yaml", Data: []byte(data)})
			if len(res.Problems) != 1 || res.Problems[0].String() != tt.want {
				t.Errorf("problems %v, want %s", res.Problems, tt.want)
			}
		})
	}
}

// TestAliasedCIDRs: a list of 20,000 aliases of a 1 MB string is 20 GB of allowlist; it must be
// UNKNOWN, sized, without reading it (or allocating more than the file).
func TestAliasedCIDRs(t *testing.T) {
	big := strings.Repeat("203.0.113.0/24,", 66_667)[:1_000_000]
	tests := []struct {
		name, cidrs string
		want541     finding.Status
		reason      string
	}{
		{"two aliases", "[&o 203.0.113.0/24, *o]", finding.Pass, ""},
		{"20,000 aliases of 1 MB", "[&o \"" + big + "\", " + strings.Repeat("*o, ", 19_999) + "198.51.100.0/24]", finding.Unknown,
			"vpc.publicAccessCIDRs would hold 20001 items (18.6 GiB), over eksguard's 1 MiB limit for a value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := strings.NewReplacer("{1}", "", "{2}", "platform", "{3}", tt.cidrs).Replace(configText)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			res := scan(&iac.File{Name: "c.yaml", Path: "c.yaml", Data: []byte(data)})
			runtime.ReadMemStats(&after)
			if len(res.Resources) != 1 || len(res.Problems) > 0 {
				t.Fatalf("%d resources, problems %v", len(res.Resources), res.Problems)
			}
			v := evaluate(t, res.Resources[0].Cluster)
			if v.s541 != tt.want541 || !strings.Contains(v.r541, tt.reason) {
				t.Errorf("5.4.1 %s (%s), want %s with %q", v.s541, v.r541, tt.want541, tt.reason)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("scanning allocated %s, want at most 64 MiB", yamledit.ByteSize(int64(alloc)))
			}
		})
	}
}

// TestTooManyDocuments: documents past yamledit.MaxDocuments are not read, and that is a problem at
// the first of them; the ClusterConfig before it is still checked.
func TestTooManyDocuments(t *testing.T) {
	data := strings.NewReplacer("{1}", "", "{2}", "platform", "{3}", "[203.0.113.0/24]\n").Replace(configText) +
		strings.Repeat("---\napiVersion: v1\nkind: ConfigMap\n", yamledit.MaxDocuments)
	res := scan(&iac.File{Name: "c.yaml", Path: "c.yaml", Data: []byte(data)})
	want := "c.yaml:30010: cannot parse eksctl config: the stream holds more than 10000 YAML documents; eksguard reads no further"
	if len(res.Problems) != 1 || res.Problems[0].String() != want || res.Problems[0].Code != finding.ProblemLimit {
		t.Errorf("problems %v, want %s (code %s)", res.Problems, want, finding.ProblemLimit)
	}
	if len(res.Resources) != 1 || res.Resources[0].Cluster.Name != "prod" {
		t.Errorf("%d resources, want prod", len(res.Resources))
	}
}
