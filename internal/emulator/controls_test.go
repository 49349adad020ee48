package emulator

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// The logging, access and secrets encryption members of DescribeCluster: AWS's defaults when a
// fleet leaves them out, EKS's shape when it sets them, and omitFields to serve what EKS never does.
const controlsFleet = `
accounts:
  - id: "111111111111"
    regions:
      - name: us-east-1
        clusters:
          - name: defaults
          - name: all-logs
            logging:
              clusterLogging:
                - {types: [api, audit, authenticator, controllerManager, scheduler], enabled: true}
          - name: some-logs                # only the enabled types written; EKS lists the rest as disabled
            logging: {clusterLogging: [{types: [audit, api], enabled: true}]}
          - name: eks-shape                # both entries written, a type listed twice
            logging:
              clusterLogging:
                - {types: [audit, audit], enabled: true}
                - {types: [api, authenticator, controllerManager, scheduler], enabled: false}
          - name: api-mode
            accessConfig: {authenticationMode: API}
          - name: no-bootstrap
            accessConfig: {bootstrapClusterCreatorAdminPermissions: false}
          - name: encrypted
            encryptionConfig: [{resources: [secrets], provider: {keyArn: "arn:aws:kms:us-east-1:111111111111:key/k1"}}]
          - name: empty-encryption
            encryptionConfig: []
          - name: no-access-config         # moto and old responses
            omitFields: [accessConfig]
          - name: no-mode
            omitFields: [accessConfig.authenticationMode]
          - name: no-logging
            omitFields: [logging]
          - name: no-key
            encryptionConfig: [{resources: [secrets], provider: {keyArn: "arn:aws:kms:us-east-1:111111111111:key/k1"}}]
            omitFields: [encryptionConfig.provider.keyArn]
`

type controlsView struct {
	Logging *struct {
		ClusterLogging []struct {
			Types   []string `json:"types"`
			Enabled *bool    `json:"enabled"`
		} `json:"clusterLogging"`
	} `json:"logging"`
	AccessConfig     map[string]any    `json:"accessConfig"`
	EncryptionConfig []json.RawMessage `json:"encryptionConfig"`
}

func describeControls(t *testing.T, url, name string) (controlsView, string) {
	t.Helper()
	resp, body := raw(t, url, "GET", "/clusters/"+name, "eks", "us-east-1", "")
	if resp.StatusCode != 200 {
		t.Fatalf("describe %s: %d %s", name, resp.StatusCode, body)
	}
	var out struct {
		Cluster json.RawMessage `json:"cluster"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	var v controlsView
	if err := json.Unmarshal(out.Cluster, &v); err != nil {
		t.Fatal(err)
	}
	return v, string(out.Cluster)
}

// logEntries renders clusterLogging as "+api,audit -authenticator,..." for comparison.
func logEntries(v controlsView) string {
	if v.Logging == nil {
		return "absent"
	}
	var parts []string
	for _, e := range v.Logging.ClusterLogging {
		sign := "?"
		if e.Enabled != nil && *e.Enabled {
			sign = "+"
		} else if e.Enabled != nil {
			sign = "-"
		}
		parts = append(parts, sign+strings.Join(e.Types, ","))
	}
	return strings.Join(parts, " ")
}

func TestControlsServed(t *testing.T) {
	_, url := startFleet(t, controlsFleet)
	tests := []struct {
		cluster          string
		logging          string
		mode, bootstrap  any // nil when the member is absent
		accessConfig     bool
		encryption, body string
	}{
		{"defaults", "-api,audit,authenticator,controllerManager,scheduler", "CONFIG_MAP", true, true, "", ""},
		{"all-logs", "+api,audit,authenticator,controllerManager,scheduler", "CONFIG_MAP", true, true, "", ""},
		{"some-logs", "+api,audit -authenticator,controllerManager,scheduler", "CONFIG_MAP", true, true, "", ""},
		{"eks-shape", "+audit -api,authenticator,controllerManager,scheduler", "CONFIG_MAP", true, true, "", ""},
		{"api-mode", "-api,audit,authenticator,controllerManager,scheduler", "API", true, true, "", ""},
		{"no-bootstrap", "-api,audit,authenticator,controllerManager,scheduler", "CONFIG_MAP", false, true, "", ""},
		{"encrypted", "-api,audit,authenticator,controllerManager,scheduler", "CONFIG_MAP", true, true,
			`{"resources":["secrets"],"provider":{"keyArn":"arn:aws:kms:us-east-1:111111111111:key/k1"}}`, ""},
		// EKS leaves encryptionConfig out when there is none.
		{"empty-encryption", "-api,audit,authenticator,controllerManager,scheduler", "CONFIG_MAP", true, true, "", ""},
		{"no-access-config", "-api,audit,authenticator,controllerManager,scheduler", nil, nil, false, "", ""},
		{"no-mode", "-api,audit,authenticator,controllerManager,scheduler", nil, true, true, "", ""},
		{"no-logging", "absent", "CONFIG_MAP", true, true, "", ""},
		{"no-key", "-api,audit,authenticator,controllerManager,scheduler", "CONFIG_MAP", true, true, `{"provider":{},"resources":["secrets"]}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.cluster, func(t *testing.T) {
			v, body := describeControls(t, url, tt.cluster)
			if got := logEntries(v); got != tt.logging {
				t.Errorf("logging %s, want %s", got, tt.logging)
			}
			if (v.AccessConfig != nil) != tt.accessConfig || v.AccessConfig["authenticationMode"] != tt.mode || v.AccessConfig["bootstrapClusterCreatorAdminPermissions"] != tt.bootstrap {
				t.Errorf("accessConfig %v, want mode %v bootstrap %v", v.AccessConfig, tt.mode, tt.bootstrap)
			}
			enc := ""
			for _, e := range v.EncryptionConfig {
				enc += string(e)
			}
			if enc != tt.encryption {
				t.Errorf("encryptionConfig %s, want %s", enc, tt.encryption)
			}
			if tt.encryption == "" && strings.Contains(body, "encryptionConfig") {
				t.Errorf("encryptionConfig present: %s", body)
			}
		})
	}
}

func TestControlsFleetProblems(t *testing.T) {
	cluster := goodAccount + "    regions:\n      - name: us-east-1\n        clusters:\n          - name: a\n"
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown log type", cluster + "            logging: {clusterLogging: [{types: [api, kubelet], enabled: true}]}\n",
			[]string{`bad.yaml:7: unknown log type "kubelet" (want one of api, audit, authenticator, controllerManager, scheduler)`}},
		{"log type spelt otherwise", cluster + "            logging:\n              clusterLogging:\n                - types: [Audit]\n                  enabled: false\n",
			[]string{`bad.yaml:9: unknown log type "Audit"`}},
		{"an entry without enabled", cluster + "            logging:\n              clusterLogging:\n                - types: [api]\n",
			[]string{`bad.yaml:9: logging entry needs enabled: true or false`}},
		{"a type both enabled and disabled", cluster + "            logging:\n              clusterLogging:\n                - {types: [api, audit], enabled: true}\n                - {types: [scheduler, audit], enabled: false}\n",
			[]string{`bad.yaml:10: log type "audit" is both enabled and disabled`}},
		{"an empty log type", cluster + "            logging: {clusterLogging: [{types: [\"\"], enabled: true}]}\n",
			[]string{`bad.yaml:7: empty log type`}},
		{"a log type that is a number", cluster + "            logging: {clusterLogging: [{types: [api, 1], enabled: true}]}\n",
			[]string{`bad.yaml:7: types must be text, not a number (1)`}},
		{"enabled not a boolean", cluster + "            logging: {clusterLogging: [{types: [api], enabled: maybe}]}\n",
			[]string{"bad.yaml:7: cannot unmarshal !!str `maybe` into bool"}},
		{"unknown mode", cluster + "            accessConfig: {authenticationMode: IAM}\n",
			[]string{`bad.yaml:7: unknown authenticationMode "IAM" (want one of CONFIG_MAP, API_AND_CONFIG_MAP, API)`}},
		{"a mode that is a boolean", cluster + "            accessConfig:\n              authenticationMode: true\n",
			[]string{`bad.yaml:8: authenticationMode must be text, not a boolean (true)`}},
		{"accessConfig not a map", cluster + "            accessConfig: API\n",
			[]string{"bad.yaml:7: cannot unmarshal"}},
		{"an entry without keyArn", cluster + "            encryptionConfig:\n              - resources: [secrets]\n",
			[]string{`bad.yaml:8: encryptionConfig entry needs provider.keyArn`}},
		{"an empty keyArn", cluster + "            encryptionConfig: [{resources: [secrets], provider: {keyArn: \"\"}}]\n",
			[]string{`bad.yaml:7: encryptionConfig entry needs provider.keyArn`}},
		{"a keyArn that is a number", cluster + "            encryptionConfig:\n              - resources: [secrets]\n                provider: {keyArn: 123}\n",
			[]string{`bad.yaml:9: keyArn must be text, not a number (123)`}},
		{"an entry without resources", cluster + "            encryptionConfig: [{provider: {keyArn: \"arn:aws:kms:us-east-1:111111111111:key/k\"}}]\n",
			[]string{`bad.yaml:7: encryptionConfig entry needs resources: [secrets]`}},
		{"a resource EKS does not encrypt", cluster + "            encryptionConfig:\n              - resources: [secrets, configmaps]\n                provider: {keyArn: \"arn:aws:kms:us-east-1:111111111111:key/k\"}\n",
			[]string{`bad.yaml:8: unknown encryptionConfig resource "configmaps" (EKS encrypts secrets only)`}},
		{"a resource that is a boolean", cluster + "            encryptionConfig: [{resources: [false], provider: {keyArn: k}}]\n",
			[]string{`bad.yaml:7: resources must be text, not a boolean (false)`}},
		{"encryptionConfig not a list", cluster + "            encryptionConfig: {resources: [secrets]}\n",
			[]string{"bad.yaml:7: cannot unmarshal"}},
		{"omitFields names a member", cluster + "            omitFields: [accesConfig]\n",
			[]string{`bad.yaml:7: omitFields entry "accesConfig" is not a DescribeCluster member`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseFleet([]byte(tt.yaml), "bad.yaml")
			var fe *FleetError
			if !errors.As(err, &fe) {
				t.Fatalf("want a *FleetError, got %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("want %q in\n%v", w, err)
				}
			}
			if n := strings.Count(err.Error(), "\n") + 1; n != len(tt.want) {
				t.Errorf("%d problems, want %d:\n%v", n, len(tt.want), err)
			}
		})
	}
}

// UpdateClusterConfig with logging or accessConfig: one category per request (TD-11), modes only
// forward (TD-18), and the result shown as EKS shows it once the update succeeds (TD-22).
func TestControlsUpdates(t *testing.T) {
	tests := []struct {
		name, cluster, body string
		status              int
		code, msg           string
		after               string // in clusterLogging / accessConfig once the update ends
	}{
		{"TD-11 logging and accessConfig", "defaults", `{"logging":{"clusterLogging":[{"types":["api"],"enabled":true}]},"accessConfig":{"authenticationMode":"API"}}`,
			400, "InvalidParameterException", "Only one type of update can be allowed.", ""},
		{"TD-11 accessConfig and endpoint", "defaults", `{"accessConfig":{"authenticationMode":"API"},"resourcesVpcConfig":{"endpointPrivateAccess":true}}`,
			400, "InvalidParameterException", "Only one type of update can be allowed.", ""},
		{"TD-18 CONFIG_MAP to API_AND_CONFIG_MAP", "defaults", `{"accessConfig":{"authenticationMode":"API_AND_CONFIG_MAP"}}`, 200, "", "",
			`"authenticationMode":"API_AND_CONFIG_MAP"`},
		{"TD-18 CONFIG_MAP straight to API", "defaults", `{"accessConfig":{"authenticationMode":"API"}}`, 200, "", "", `"authenticationMode":"API"`},
		{"TD-18 API back to API_AND_CONFIG_MAP", "api-mode", `{"accessConfig":{"authenticationMode":"API_AND_CONFIG_MAP"}}`,
			400, "InvalidParameterException", "Unsupported authentication mode update from API to API_AND_CONFIG_MAP", ""},
		{"TD-18 the same mode", "api-mode", `{"accessConfig":{"authenticationMode":"API"}}`,
			400, "InvalidParameterException", "Unsupported authentication mode update from API to API", ""},
		{"an unknown mode", "defaults", `{"accessConfig":{"authenticationMode":"IAM"}}`, 400, "InvalidParameterException", "", ""},
		{"a mode missing", "defaults", `{"accessConfig":{}}`, 400, "InvalidParameterException", "", ""},
		{"logging some types on", "defaults", `{"logging":{"clusterLogging":[{"types":["audit"],"enabled":true}]}}`, 200, "", "",
			`"clusterLogging":[{"types":["audit"],"enabled":true},{"types":["api","authenticator","controllerManager","scheduler"],"enabled":false}]`},
		{"logging all off again", "some-logs", `{"logging":{"clusterLogging":[{"types":["api","audit"],"enabled":false}]}}`, 200, "", "",
			`"clusterLogging":[{"types":["api","audit","authenticator","controllerManager","scheduler"],"enabled":false}]`},
		{"logging a no-op", "all-logs", `{"logging":{"clusterLogging":[{"types":["api","audit","authenticator","controllerManager","scheduler"],"enabled":true}]}}`,
			400, "InvalidParameterException", "No changes needed for the logging config provided", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := NewFakeClock(testStart)
			s, url := startFleet(t, controlsFleet, WithClock(clock))
			status, code, msg, out := postUpdate(t, url, tt.cluster, tt.body)
			if status != tt.status || code != tt.code || (tt.msg != "" && msg != tt.msg) {
				t.Fatalf("got %d %s %q\nwant %d %s %q", status, code, msg, tt.status, tt.code, tt.msg)
			}
			before, _ := s.Cluster("111111111111", "us-east-1", tt.cluster)
			if tt.status != 200 {
				return
			}
			if strings.Contains(string(before), tt.after) {
				t.Errorf("shown before the update succeeded (TD-22): %s", before)
			}
			if want := map[bool]string{true: "AccessConfigUpdate", false: "LoggingUpdate"}[strings.Contains(tt.body, "accessConfig")]; out.Update.Type != want {
				t.Errorf("update type %s, want %s", out.Update.Type, want)
			}
			clock.Advance(time.Hour)
			view, _ := s.Cluster("111111111111", "us-east-1", tt.cluster)
			if !strings.Contains(string(view), tt.after) {
				t.Errorf("want %s in %s", tt.after, view)
			}
		})
	}
}

// The generated benchmark fleet holds every verdict of the new controls, from a stream of its own:
// the endpoint mix of a seed is what it was before.
func TestGenerateControlsMix(t *testing.T) {
	f, err := ParseFleet([]byte("generate: {accounts: 2, regions: 3, clustersPerRegion: 30, seed: 1}\n"), "gen.yaml")
	if err != nil {
		t.Fatal(err)
	}
	logs, modes, keys := map[string]int{}, map[string]int{}, map[bool]int{}
	for _, a := range f.Accounts {
		for _, r := range a.Regions {
			for _, c := range r.Clusters {
				l := "default"
				if c.Logging != nil {
					l = strings.Join(c.Logging.ClusterLogging[0].Types, ",")
				}
				logs[l]++
				m := "default"
				if c.AccessConfig != nil {
					m = c.AccessConfig.AuthenticationMode
				}
				modes[m]++
				keys[len(c.EncryptionConfig) > 0]++
			}
		}
	}
	if len(logs) != 3 || len(modes) != 3 || len(keys) != 2 {
		t.Errorf("mix: logging %v, modes %v, keys %v", logs, modes, keys)
	}
	if err := f.Validate(); err != nil {
		t.Errorf("generated fleet does not validate: %v", err)
	}
}
