package awsapi

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestCheckRegion(t *testing.T) {
	regions := Regions()
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == EnvExtraRegions {
				return v
			}
			return ""
		}
	}
	tests := []struct {
		name   string
		region string
		getenv func(string) string
		ok     bool
		// has are parts the error must contain; hasNot parts it must not.
		has, hasNot []string
	}{
		{name: "first of the list", region: regions[0], ok: true},
		{name: "middle of the list", region: regions[len(regions)/2], ok: true},
		{name: "last of the list", region: regions[len(regions)-1], ok: true},
		{name: "us-east-1", region: "us-east-1", ok: true},
		{name: "China", region: "cn-northwest-1", ok: true},
		{name: "GovCloud", region: "us-gov-west-1", ok: true},
		{name: "European Sovereign Cloud", region: "eusc-de-east-1", ok: true},
		{name: "recent: Thailand", region: "ap-southeast-7", ok: true},
		{name: "recent: Mexico", region: "mx-central-1", ok: true},
		{name: "recent: Taipei", region: "ap-east-2", ok: true},
		{name: "swapped letters", region: "us-eats-1",
			has: []string{`"us-eats-1" is not an AWS region`, `did you mean "us-east-1"?`, "aws: af-south-1,", "aws-cn: cn-north-1, cn-northwest-1", "aws-us-gov: us-gov-east-1, us-gov-west-1", "EKSGUARD_EXTRA_REGIONS=us-eats-1"}},
		{name: "number past the last", region: "eu-west-4",
			has: []string{`did you mean "eu-west-1", "eu-west-2" or "eu-west-3"?`}},
		{name: "an availability zone", region: "us-east-1a",
			has: []string{`did you mean "us-east-1"?`}, hasNot: []string{"EKSGUARD_EXTRA_REGIONS"}},
		{name: "capitals", region: "US-EAST-1",
			has: []string{`"US-EAST-1" is not an AWS region name`, `did you mean "us-east-1"?`}, hasNot: []string{"EKSGUARD_EXTRA_REGIONS"}},
		{name: "no dashes", region: "useast1", has: []string{`did you mean "us-east-1"?`}},
		{name: "nothing near", region: "moon-1", has: []string{`"moon-1" is not an AWS region name`, "regions:"}, hasNot: []string{"did you mean"}},
		{name: "empty", region: "", has: []string{`"" is not an AWS region name`}},
		{name: "well formed, far from any", region: "zz-nowhere-9", has: []string{"is not an AWS region"}, hasNot: []string{"did you mean"}},
		{name: "a new region, allowed", region: "ap-newzone-1", getenv: env("ap-newzone-1"), ok: true},
		{name: "a new region among others", region: "ap-newzone-1", getenv: env("xx-other-2, ap-newzone-1"), ok: true},
		{name: "a new region, not allowed", region: "ap-newzone-1", getenv: env("xx-other-2"), has: []string{"EKSGUARD_EXTRA_REGIONS=ap-newzone-1"}},
		{name: "the escape hatch needs a region's spelling", region: "moon", getenv: env("moon"),
			has: []string{`EKSGUARD_EXTRA_REGIONS: "moon" is not spelled like an AWS region name`}},
		{name: "a known region ignores the variable", region: "us-west-2", getenv: env("not a region"), ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckRegion(tt.region, tt.getenv)
			if tt.ok {
				if err != nil {
					t.Fatalf("CheckRegion(%q) = %v, want nil", tt.region, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckRegion(%q) = nil, want an error", tt.region)
			}
			for _, h := range tt.has {
				if !strings.Contains(err.Error(), h) {
					t.Errorf("error does not contain %q:\n%s", h, err)
				}
			}
			for _, h := range tt.hasNot {
				if strings.Contains(err.Error(), h) {
					t.Errorf("error contains %q:\n%s", h, err)
				}
			}
		})
	}
}

// TestRegionsWellFormed holds the list to the spelling ValidRegion accepts, without duplicates.
func TestRegionsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range Partitions() {
		for _, r := range p.Regions {
			if !ValidRegion(r) {
				t.Errorf("%s: %q is not spelled like a region", p.ID, r)
			}
			if seen[r] {
				t.Errorf("%q is listed twice", r)
			}
			seen[r] = true
		}
	}
	if len(seen) != len(Regions()) || !slices.IsSorted(Regions()) {
		t.Errorf("Regions() = %v", Regions())
	}
}

// TestRegionsMatchSDK compares the list with the partition metadata of the aws-sdk-go-v2 that
// go.mod selects, so an SDK upgrade that knows a new region fails here until the region is added.
func TestRegionsMatchSDK(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-sdk-go-v2").Output()
	if err != nil {
		t.Fatalf("go list -m github.com/aws/aws-sdk-go-v2: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "internal", "endpoints", "awsrulesfn", "partitions.json"))
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Partitions []struct {
			ID      string
			Regions map[string]json.RawMessage
		}
	}
	if err := json.Unmarshal(data, &meta); err != nil {
		t.Fatal(err)
	}
	ours := map[string]string{}
	for _, p := range Partitions() {
		for _, r := range p.Regions {
			ours[r] = p.ID
		}
	}
	sdk := map[string]bool{}
	for _, p := range meta.Partitions {
		for r := range p.Regions {
			if strings.HasSuffix(r, "-global") {
				continue
			}
			sdk[r] = true
			switch part, ok := ours[r]; {
			case !ok:
				t.Errorf("the SDK knows region %s (partition %s); add it to partitions in names.go", r, p.ID)
			case part != p.ID:
				t.Errorf("region %s is in partition %s, not %s", r, p.ID, part)
			}
		}
	}
	for r := range ours {
		if !sdk[r] {
			t.Errorf("region %s is not in the SDK's partition metadata", r)
		}
	}
}

// TestCheckRegionListsEveryRegion: the error is where a user learns the valid names, so it must hold
// all of them, on lines a terminal shows whole.
func TestCheckRegionListsEveryRegion(t *testing.T) {
	err := CheckRegion("us-eats-1", nil)
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, r := range Regions() {
		if !strings.Contains(msg, " "+r+",") && !strings.Contains(msg, " "+r+"\n") {
			t.Errorf("the error does not list %s", r)
		}
	}
	for _, line := range strings.Split(msg, "\n") {
		if strings.HasPrefix(line, "  ") && len(line) > 105 {
			t.Errorf("line of %d characters: %q", len(line), line)
		}
	}
}
