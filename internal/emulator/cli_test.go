package emulator

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// awsCLI finds the aws CLI. In CI (CI=true) its absence is a failure, not a
// silent skip (STYLE habit 14).
func awsCLI(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("aws CLI not found (CI=true): %v", err)
		}
		t.Skipf("aws CLI not installed: %v", err)
	}
	return path
}

// runCLI runs the aws CLI against the emulator with throwaway credentials and
// no user configuration.
func runCLI(t *testing.T, bin, url string, args ...string) (stdout []byte, stderr string, err error) {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(bin, append([]string{"--endpoint-url", url, "--region", "us-east-1", "--output", "json"}, args...)...)
	// Keep PATH, HOME and the Python setup (pyenv shims need them); drop
	// every AWS_ setting of the host.
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env,
		"AWS_ACCESS_KEY_ID=AKIDAWSCLI", "AWS_SECRET_ACCESS_KEY=secret",
		"AWS_CONFIG_FILE="+filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_MAX_ATTEMPTS=1")
	var errBuf strings.Builder
	cmd.Stderr = &errBuf
	out, err := cmd.Output()
	return out, errBuf.String(), err
}

// TestAWSCLI checks the emulator against botocore's own serializers and
// parsers. Each CLI start takes seconds, so the independent calls run in
// parallel and the update chain is kept to two calls.
func TestAWSCLI(t *testing.T) {
	bin := awsCLI(t)
	clock := NewFakeClock(testStart)
	_, url := startFleet(t, "fleet.yaml", WithClock(clock))

	t.Run("describe-cluster", func(t *testing.T) {
		t.Parallel()
		out, stderr, err := runCLI(t, bin, url, "eks", "describe-cluster", "--name", "prod")
		if err != nil {
			t.Fatalf("%v: %s", err, stderr)
		}
		var doc struct {
			Cluster struct {
				Name               string         `json:"name"`
				CreatedAt          json.Number    `json:"createdAt"`
				ResourcesVpcConfig map[string]any `json:"resourcesVpcConfig"`
			} `json:"cluster"`
		}
		if err := json.Unmarshal(out, &doc); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		vc := doc.Cluster.ResourcesVpcConfig
		if doc.Cluster.Name != "prod" || vc["endpointPublicAccess"] != true || vc["endpointPrivateAccess"] != false ||
			doc.Cluster.CreatedAt.String() != "1730541600.0" {
			t.Errorf("cli view: %s", out)
		}
	})
	t.Run("list-clusters", func(t *testing.T) {
		t.Parallel()
		out, stderr, err := runCLI(t, bin, url, "eks", "list-clusters")
		if err != nil {
			t.Fatalf("%v: %s", err, stderr)
		}
		var doc struct{ Clusters []string }
		if err := json.Unmarshal(out, &doc); err != nil || len(doc.Clusters) < 10 || doc.Clusters[0] != "prod" {
			t.Errorf("%v: %s", err, out)
		}
	})
	t.Run("not found", func(t *testing.T) {
		t.Parallel()
		_, stderr, err := runCLI(t, bin, url, "eks", "describe-cluster", "--name", "nope")
		if err == nil || !strings.Contains(stderr, "(ResourceNotFoundException)") || !strings.Contains(stderr, "No cluster found for name: nope.") {
			t.Errorf("err %v, stderr %s", err, stderr)
		}
	})
	t.Run("update-cluster-config then describe-update", func(t *testing.T) {
		t.Parallel()
		out, stderr, err := runCLI(t, bin, url, "eks", "update-cluster-config", "--name", "defaults",
			"--resources-vpc-config", "endpointPrivateAccess=true,publicAccessCidrs=203.0.113.7/32")
		if err != nil {
			t.Fatalf("%v: %s", err, stderr)
		}
		var up struct {
			Update struct {
				ID     string        `json:"id"`
				Status string        `json:"status"`
				Type   string        `json:"type"`
				Params []UpdateParam `json:"params"`
			} `json:"update"`
		}
		if err := json.Unmarshal(out, &up); err != nil || up.Update.Status != "InProgress" || up.Update.Type != "EndpointAccessUpdate" || len(up.Update.Params) != 3 {
			t.Fatalf("%v: %s", err, out)
		}
		clock.Advance(time.Hour)
		out, stderr, err = runCLI(t, bin, url, "eks", "describe-update", "--name", "defaults", "--update-id", up.Update.ID)
		if err != nil {
			t.Fatalf("%v: %s", err, stderr)
		}
		if !strings.Contains(string(out), `"status": "Successful"`) {
			t.Errorf("describe-update: %s", out)
		}
	})
}
