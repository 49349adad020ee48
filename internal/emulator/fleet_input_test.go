package emulator

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// TestParseFleetRefuses covers fleet files that used to be accepted, or refused without a line: a
// second YAML document, non-finite numbers, and bytes that are not UTF-8. Each problem must name the
// file and the line, and only the expected problems may be reported.
func TestParseFleetRefuses(t *testing.T) {
	cluster := goodAccount + "    regions:\n      - name: us-east-1\n        clusters:\n          - name: a\n"
	tests := []struct {
		name string
		yaml string
		want []string // exactly these problems, in order
	}{
		// A second document.
		{"second document", goodAccount + "---\naccounts:\n  - id: \"222222222222\"\n",
			[]string{"bad.yaml:3: fleet files hold one YAML document; a second starts at line 3"}},
		{"second document after a comment", goodAccount + "# more accounts below\n--- # staging\n\naccounts: []\n",
			[]string{"bad.yaml:4: fleet files hold one YAML document; a second starts at line 4"}},
		{"empty second document", goodAccount + "---\n",
			[]string{"bad.yaml:3: fleet files hold one YAML document; a second starts at line 3"}},
		{"first document marked, second one too", "---\n" + goodAccount + "---\n" + goodAccount,
			[]string{"bad.yaml:4: fleet files hold one YAML document; a second starts at line 4"}},
		{"second document after an end marker", goodAccount + "...\n---\n" + goodAccount,
			[]string{"bad.yaml:4: fleet files hold one YAML document; a second starts at line 4"}},
		{"broken second document", goodAccount + "---\naccounts: [\n",
			[]string{"bad.yaml:4: did not find expected node content"}},
		{"second document and a bad value in the first", "accounts:\n  - id: \"1\"\n---\n",
			[]string{`bad.yaml:2: account id "1" must be 12 digits`, "bad.yaml:3: fleet files hold one YAML document; a second starts at line 3"}},

		// Non-finite numbers in numeric behaviour fields, in every spelling YAML accepts.
		{"serverErrorRate .nan", "behaviour:\n  serverErrorRate: .nan\n" + goodAccount,
			[]string{"bad.yaml:2: serverErrorRate must be a finite number, not .nan"}},
		{"serviceUnavailableRate .NaN", "behaviour:\n  serviceUnavailableRate: .NaN\n" + goodAccount,
			[]string{"bad.yaml:2: serviceUnavailableRate must be a finite number, not .NaN"}},
		{"connectionResetRate -.inf", "behaviour:\n  connectionResetRate: -.inf\n" + goodAccount,
			[]string{"bad.yaml:2: connectionResetRate must be a finite number, not -.inf"}},
		{"throttle rate .inf", "behaviour:\n  throttle: {rate: .inf, burst: 5}\n" + goodAccount,
			[]string{"bad.yaml:2: rate must be a finite number, not .inf"}},
		{"throttle rate +.INF", "behaviour:\n  throttle:\n    rate: +.INF\n" + goodAccount,
			[]string{"bad.yaml:3: rate must be a finite number, not +.INF"}},
		{"throttle rate tagged and quoted", "behaviour:\n  throttle:\n    rate: !!float \".Inf\"\n" + goodAccount,
			[]string{"bad.yaml:3: rate must be a finite number, not .Inf"}},
		{"throttle rate through an alias", "nan: &nan .nan\nbehaviour:\n  throttle: {rate: *nan}\n" + goodAccount,
			[]string{`bad.yaml:1: unknown field "nan"`, "bad.yaml:1: rate must be a finite number, not .nan"}},
		{"burst -.inf would be the most negative int", "behaviour:\n  throttle: {rate: 1, burst: -.inf}\n" + goodAccount,
			[]string{"bad.yaml:2: burst must be a finite number, not -.inf"}},
		{"seed -.inf would be a huge unsigned number", "behaviour:\n  seed: -.inf\n" + goodAccount,
			[]string{"bad.yaml:2: seed must be a finite number, not -.inf"}},
		{"statusLag .inf", "behaviour:\n  statusLag: .inf\n" + goodAccount,
			[]string{"bad.yaml:2: statusLag must be a finite number, not .inf"}},
		{"NaN in a free-form cluster member", cluster + "            kubeApiServerConfig:\n              limits: [1, .nan]\n",
			[]string{"bad.yaml:8: limits must be a finite number, not .nan"}},
		{"latency .nan", "behaviour:\n  latency: .nan\n" + goodAccount,
			[]string{"bad.yaml:2: latency must be a finite number, not .nan"}},
		{"nan with an explicit float tag is not YAML", "behaviour:\n  serverErrorRate: !!float nan\n" + goodAccount,
			[]string{"bad.yaml:2: serverErrorRate: cannot decode !!str `nan` as a !!float"}},

		// Bytes that are not UTF-8 (here Latin-1) on the first, a middle and the last line.
		{"invalid UTF-8 on the first line", "# caf\xe9 team\n" + goodAccount,
			[]string{"bad.yaml:1: invalid trailing UTF-8 octet (byte 0xE9 at column 6)"}},
		{"invalid UTF-8 on a middle line", goodAccount + "    name: caf\xe9\n    email: a@example.com\n",
			[]string{"bad.yaml:3: invalid trailing UTF-8 octet (byte 0xE9 at column 14)"}},
		{"invalid UTF-8 on the last line, no newline", goodAccount + "    name: \xff",
			[]string{"bad.yaml:3: invalid leading UTF-8 octet (byte 0xFF at column 11)"}},
		{"truncated character at the end", goodAccount + "    name: caf\xc3",
			[]string{"bad.yaml:3: incomplete UTF-8 octet sequence (byte 0xC3 at column 14)"}},
		{"control character", goodAccount + "    name: a\x07b\n",
			[]string{"bad.yaml:3: control characters are not allowed (U+0007 at column 12)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFleet([]byte(tt.yaml), "bad.yaml")
			if err == nil {
				t.Fatalf("want an error, got a fleet with %d accounts", len(f.Accounts))
			}
			var fe *FleetError
			if !errors.As(err, &fe) {
				t.Fatalf("want *FleetError, got %T", err)
			}
			var got []string
			for _, p := range fe.Problems {
				got = append(got, p.String())
			}
			if len(got) != len(tt.want) {
				t.Fatalf("problems\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("problem %d: %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestParseFleetOneDocument: document markers around the one document are fine.
func TestParseFleetOneDocument(t *testing.T) {
	tests := []struct{ name, yaml string }{
		{"start marker", "---\n" + goodAccount},
		{"end marker", goodAccount + "...\n"},
		{"both markers and a trailing comment", "--- # fleet\n" + goodAccount + "...\n# end\n"},
		{"finite floats in every spelling", "behaviour:\n  serverErrorRate: 1e-2\n  connectionResetRate: .5\n  throttle: {rate: 0x10}\n" + goodAccount},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFleet([]byte(tt.yaml), "ok.yaml")
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Accounts) != 1 || f.Accounts[0].ID != "111111111111" {
				t.Errorf("accounts %+v", f.Accounts)
			}
		})
	}
}

// TestValidateNonFinite: a Fleet built in Go is held to the same rule.
func TestValidateNonFinite(t *testing.T) {
	tests := []struct {
		name string
		b    Behaviour
		want string
	}{
		{"NaN error rate", Behaviour{ServerErrorRate: math.NaN()}, "fleet behaviour.serverErrorRate: serverErrorRate must be a finite number, not NaN"},
		{"infinite reset rate", Behaviour{ConnectionResetRate: math.Inf(1)}, "fleet behaviour.connectionResetRate: connectionResetRate must be a finite number, not +Inf"},
		{"infinite throttle rate", Behaviour{Throttle: Throttle{Rate: math.Inf(1)}}, "fleet behaviour.throttle.rate: throttle rate must be a finite number, not +Inf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Fleet{Behaviour: tt.b, Accounts: []Account{{ID: "111111111111"}}}
			err := f.Validate()
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}
