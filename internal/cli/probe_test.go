package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/testenv"
)

// testCA is a certificate authority made for one test, as EKS makes one per cluster.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// data is the CA as DescribeCluster's certificateAuthority.data carries it.
func (ca *testCA) data() string { return base64.StdEncoding.EncodeToString(ca.pem) }

// serve starts a TLS server on 127.0.0.1 with a certificate of this CA that answers like a
// kube-apiserver to anonymous callers: /version and /healthz, and namespaces as listStatus says.
func (ca *testCA) serve(t *testing.T, listStatus int, requests *atomic.Int64) string {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "kube-apiserver"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"kubernetes"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.Header.Get("Authorization") != "" || r.Header.Get("Cookie") != "" {
			t.Errorf("the probe sent credentials: %v", r.Header)
		}
		switch r.URL.Path {
		case "/version":
			fmt.Fprint(w, `{"major":"1","minor":"32","gitVersion":"v1.32.3-eks-4096722"}`)
		case "/healthz":
			fmt.Fprint(w, "ok")
		case "/api/v1/namespaces":
			w.WriteHeader(listStatus)
			if listStatus == http.StatusOK {
				fmt.Fprint(w, `{"kind":"NamespaceList","items":[{"metadata":{"name":"default"}}]}`)
			} else {
				fmt.Fprint(w, `{"kind":"Status","status":"Failure","reason":"Forbidden","code":403}`)
			}
		default:
			w.WriteHeader(http.StatusForbidden)
		}
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes of the probe are expected
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

// silent accepts connections and never answers.
func silent(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(done)
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return "https://" + ln.Addr().String()
}

// closedPort is an address nothing listens on.
func closedPort(t *testing.T) string {
	return fmt.Sprintf("https://127.0.0.1:%d", testenv.FreePort(t))
}

// TestScanProbe: --probe proves from the network what each endpoint answers (issue 13's cases),
// with loopback counted as public through the test-only EKSGUARD_PROBE_TREAT_AS_PUBLIC.
func TestScanProbe(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	t.Setenv("EKSGUARD_PROBE_TREAT_AS_PUBLIC", "127.0.0.0/8")
	ca, other := newTestCA(t, "kubernetes"), newTestCA(t, "mitm-proxy")
	var good, open, stranger atomic.Int64
	goodURL := ca.serve(t, http.StatusForbidden, &good)
	openURL := ca.serve(t, http.StatusOK, &open)
	strangerURL := other.serve(t, http.StatusOK, &stranger)
	cluster := func(name, endpoint, vpc string) string {
		return fmt.Sprintf("          - {name: %s, endpoint: %q, certificateAuthority: {data: %q}, resourcesVpcConfig: %s}\n", name, endpoint, ca.data(), vpc)
	}
	allow := `{endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ["203.0.113.0/24"]}`
	private := `{endpointPublicAccess: false, endpointPrivateAccess: true}`
	url := emulate(t, strings.Replace(oneRegion, "%s",
		cluster("expected", goodURL, allow)+
			cluster("configured-private", goodURL, private)+
			cluster("outside-allowlist", goodURL, `{endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ["198.51.100.0/24"]}`)+
			cluster("closed", closedPort(t), private)+
			cluster("silent", silent(t), private)+
			cluster("other-ca", strangerURL, private)+
			cluster("no-name", "https://eksguard-probe-test.invalid", private)+
			cluster("anonymous-open", openURL, allow), 1))
	snap := filepath.Join(t.TempDir(), "snap.json")
	code, out, errOut := run(t, "scan", "--endpoint-url", url, "--probe", "--caller-ip", "203.0.113.5", "--probe-timeout", "500ms",
		"--controls", "5.4.1", "--format", "json", "--save-snapshot", snap)
	if code != 3 {
		t.Errorf("exit %d, want 3 (UNKNOWN probes make the scan incomplete): %s", code, errOut)
	}
	r := parseReport(t, out)
	for _, tt := range []struct {
		name, reach, reachWhy, anon, anonWhy string
	}{
		{"expected", "PASS", "as the allowlist 203.0.113.0/24 admits it", "PASS", "/api/v1/namespaces 403"},
		{"configured-private", "FAIL", "although endpointPublicAccess is false", "PASS", "/version 200"},
		{"outside-allowlist", "FAIL", "although the allowlist 198.51.100.0/24 does not admit it", "PASS", ""},
		{"closed", "PASS", "does not answer on its public addresses from here: 127.0.0.1 refused", "UNKNOWN", "no anonymous request was sent"},
		{"silent", "UNKNOWN", "the TLS handshake did not complete (timeout)", "UNKNOWN", ""},
		{"other-ca", "UNKNOWN", "does not chain to the cluster's CA", "UNKNOWN", ""},
		{"no-name", "UNKNOWN", "does not resolve from here", "UNKNOWN", "does not resolve"},
		{"anonymous-open", "PASS", "", "FAIL", "can list namespaces (GET /api/v1/namespaces answered 200)"},
	} {
		var reach, anon struct{ status, reason string }
		for _, res := range r.Results {
			if res.Resource.Name != tt.name {
				continue
			}
			switch res.CheckID {
			case "endpoint-reachability":
				reach.status, reach.reason = res.Status, res.Reason
				if res.Control != "endpoint-reachability" || res.Evidence["probe"] == nil {
					t.Errorf("%s: control %s, evidence %v", tt.name, res.Control, res.Evidence)
				}
			case "anonymous-api-access":
				anon.status, anon.reason = res.Status, res.Reason
			}
		}
		if reach.status != tt.reach || !strings.Contains(reach.reason, tt.reachWhy) {
			t.Errorf("%s: endpoint-reachability %s (%s), want %s containing %q", tt.name, reach.status, reach.reason, tt.reach, tt.reachWhy)
		}
		if anon.status != tt.anon || !strings.Contains(anon.reason, tt.anonWhy) {
			t.Errorf("%s: anonymous-api-access %s (%s), want %s containing %q", tt.name, anon.status, anon.reason, tt.anon, tt.anonWhy)
		}
	}
	// The snapshot keeps what the probe saw: evaluated offline, with no network, it says the same.
	_, offline, errOut := run(t, "scan", "--snapshot", snap, "--controls", "5.4.1,endpoint-reachability,anonymous-api-access", "--format", "json")
	if offline != out {
		t.Errorf("offline report differs from the live one: %s\nlive:\n%s\noffline:\n%s", errOut, out, offline)
	}
	if code, _, errOut := run(t, "scan", "--snapshot", snap, "--probe"); code != 2 || !strings.Contains(errOut, "--probe") {
		t.Errorf("--probe of a snapshot: exit %d %s", code, errOut)
	}
	if n := stranger.Load(); n != 0 {
		t.Errorf("%d requests reached the server whose certificate did not chain to the cluster's CA", n)
	}
	// Without --probe nothing is probed and the network controls are not evaluated.
	good.Store(0)
	_, out, _ = run(t, "scan", "--endpoint-url", url, "--format", "json")
	for _, res := range parseReport(t, out).Results {
		if res.CheckID == "endpoint-reachability" || res.CheckID == "anonymous-api-access" {
			t.Fatalf("a scan without --probe judged %s", res.CheckID)
		}
	}
	if good.Load() != 0 {
		t.Errorf("a scan without --probe sent %d requests to an endpoint", good.Load())
	}
}

// TestProbeCommand: eksguard probe is the probe of one cluster.
func TestProbeCommand(t *testing.T) {
	testenv.IsolateAWS(t, "us-east-1")
	t.Setenv("EKSGUARD_PROBE_TREAT_AS_PUBLIC", "127.0.0.0/8")
	ca := newTestCA(t, "kubernetes")
	var n atomic.Int64
	endpoint := ca.serve(t, http.StatusForbidden, &n)
	url := emulate(t, strings.Replace(oneRegion, "%s", fmt.Sprintf("          - {name: prod, endpoint: %q, certificateAuthority: {data: %q}, resourcesVpcConfig: {endpointPublicAccess: false, endpointPrivateAccess: true}}\n          - {name: other}\n", endpoint, ca.data()), 1))
	code, out, errOut := run(t, "probe", "--endpoint-url", url, "--region", "us-east-1", "--cluster", "prod", "--caller-ip", "203.0.113.5")
	if code != 1 || !strings.Contains(out, "endpoint-reachability") || !strings.Contains(out, "although endpointPublicAccess is false") || strings.Contains(out, "other") {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
	for _, args := range [][]string{{"probe"}, {"probe", "--cluster", "prod", "--caller-ip", "not-an-ip"}, {"probe", "--cluster", "prod", "--probe-timeout", "0s"},
		{"probe", "--cluster", "prod", "--caller-ip="}, {"probe", "--cluster", "prod", "--ip-echo-url="}, {"probe", "--cluster", "prod", "--ip-echo-url", "ftp://x"}} {
		if code, _, errOut := run(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", args, code, errOut)
		}
	}
}
