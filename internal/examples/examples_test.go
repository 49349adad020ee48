package examples_test

import (
	"context"
	"strings"
	"testing"

	"github.com/eksguard/eksguard/internal/check"
	"github.com/eksguard/eksguard/internal/examples"
	"github.com/eksguard/eksguard/internal/finding"
)

// TestExamples runs every example of every check through the real IaC adapters: each gives the
// verdict it is written for with a location, and each bad one in an edited format, once the adapter's
// edit for the check's target is applied, passes. Every format a check names has a good and a bad
// example, so a check is documented, tested and fixable in each of them.
func TestExamples(t *testing.T) {
	for _, k := range check.All() {
		if len(k.Examples) == 0 && len(k.IaC) > 0 {
			t.Errorf("%s has no examples", k.ID)
		}
		formats := map[check.Format]map[finding.Status]bool{}
		for _, f := range k.IaC {
			formats[f.Format] = map[finding.Status]bool{}
		}
		for _, ex := range k.Examples {
			if named := documentedAs(ex.Format); formats[named] == nil {
				t.Errorf("%s: example %q is in %s, which the check's IaC fields do not name", k.ID, ex.Name, ex.Format)
			}
			if formats[ex.Format] == nil {
				formats[ex.Format] = map[finding.Status]bool{}
			}
			formats[ex.Format][ex.Want] = true
			t.Run(k.ID+"/"+string(ex.Format)+"/"+ex.Name, func(t *testing.T) {
				run, err := examples.Execute(context.Background(), k, ex)
				if err != nil {
					t.Fatal(err)
				}
				if run.Outcome.Status != ex.Want {
					t.Fatalf("%s, want %s: %s", run.Outcome.Status, ex.Want, run.Outcome.Reason)
				}
				if run.Outcome.Location == nil || run.Outcome.Location.File == "" || run.Outcome.Location.Line < 1 {
					t.Errorf("no location for the verdict: %+v", run.Outcome.Location)
				}
				if ex.Want != finding.Fail {
					if run.Fix != nil {
						t.Errorf("a good example got a fix: %+v", run.Fix)
					}
					return
				}
				if !k.HasTarget() {
					// A check eksguard proposes no edit for (node subnets, add-ons,
					// repositories): the remediation is in words.
					if run.Fix != nil {
						t.Errorf("a check without a target got a fix: %+v", run.Fix)
					}
					return
				}
				if ex.Format == check.FormatTerraformPlan {
					if run.Fix != nil {
						t.Errorf("a plan is generated, not edited, yet got a fix: %+v", run.Fix)
					}
					return
				}
				if run.Fix == nil || len(run.Skipped) > 0 {
					t.Fatalf("no complete edit (wanted %v, skipped %v)", run.Want.Fields(), run.Skipped)
				}
				if !strings.Contains(run.Patch, "\n--- a/") || !strings.Contains(run.Patch, "\n+") {
					t.Errorf("the fix does not render as a patch:\n%s", run.Patch)
				}
				if run.After.Status != finding.Pass {
					var text []string
					for name, src := range run.Files {
						text = append(text, "== "+name+"\n"+src)
					}
					t.Fatalf("after the edit (%s): %s, want PASS: %s\n%s", run.Fix.Description, run.After.Status, run.After.Reason, strings.Join(text, "\n"))
				}
			})
		}
		for f, statuses := range formats {
			if !statuses[finding.Pass] || !statuses[finding.Fail] {
				t.Errorf("%s: %s has no good or no bad example", k.ID, f)
			}
		}
	}
}

// documentedAs is the format whose IaC fields document an example's format: JSON templates and
// .tf.json files write the settings where their YAML and HCL forms do.
func documentedAs(f check.Format) check.Format {
	switch f {
	case check.FormatCloudFormationJSON:
		return check.FormatCloudFormationYAML
	case check.FormatTerraformJSON:
		return check.FormatTerraform
	}
	return f
}
