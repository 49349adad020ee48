package probe

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const host = "abcd.gr7.us-east-1.eks.amazonaws.com"

var loopbackPublic = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// --- certificates ---

type pki struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

var serial atomic.Int64

func newCA(t *testing.T, cn string) pki {
	t.Helper()
	return issue(t, pki{}, cn, true, nil, time.Now().Add(time.Hour))
}

// issue signs a certificate with parent, or self-signs when parent is empty.
func issue(t *testing.T, parent pki, cn string, isCA bool, hosts []string, notAfter time.Time) pki {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial.Add(1)),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-2 * time.Hour),
		NotAfter:              notAfter,
		BasicConstraintsValid: true,
		IsCA:                  isCA,
	}
	if isCA {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		for _, h := range hosts {
			if ip, err := netip.ParseAddr(h); err == nil {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip.AsSlice())
			} else {
				tmpl.DNSNames = append(tmpl.DNSNames, h)
			}
		}
	}
	signer, signKey := tmpl, key
	if parent.cert != nil {
		signer, signKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return pki{cert: c, key: key}
}

func leafFor(t *testing.T, ca pki, hosts ...string) pki {
	t.Helper()
	return issue(t, ca, "kube-apiserver", false, hosts, time.Now().Add(time.Hour))
}

// serverCert is what a server sends: the leaf, then any intermediates.
func serverCert(chain ...pki) tls.Certificate {
	c := tls.Certificate{PrivateKey: chain[0].key, Leaf: chain[0].cert}
	for _, p := range chain {
		c.Certificate = append(c.Certificate, p.cert.Raw)
	}
	return c
}

// caData is certificateAuthority.data for the given CAs.
func caData(cas ...pki) string {
	var b []byte
	for _, c := range cas {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.cert.Raw})...)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// --- network doubles ---

type fakeResolver struct {
	names map[string][]netip.Addr
	errs  map[string]error
	calls atomic.Int64
}

func (f *fakeResolver) LookupNetIP(ctx context.Context, network, name string) ([]netip.Addr, error) {
	f.calls.Add(1)
	if err := f.errs[name]; err != nil {
		return nil, err
	}
	if a, ok := f.names[name]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func resolverFor(names ...string) *fakeResolver {
	r := &fakeResolver{names: map[string][]netip.Addr{}}
	for _, n := range names {
		r.names[n] = []netip.Addr{netip.MustParseAddr("127.0.0.1")}
	}
	return r
}

// dialer dials 127.0.0.1 only, through routes when an address is a stand-in, and counts dials and
// connections open at once, from the client's side where the count is exact.
type dialer struct {
	t      *testing.T
	routes map[string]string // "resolved ip:port" -> "127.0.0.1:port"
	mu     sync.Mutex
	dialed []string
	open   atomic.Int64
	peak   atomic.Int64
}

func (d *dialer) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d.mu.Lock()
	d.dialed = append(d.dialed, addr)
	d.mu.Unlock()
	real := addr
	if r, ok := d.routes[addr]; ok {
		real = r
	}
	if !strings.HasPrefix(real, "127.0.0.1:") {
		d.t.Errorf("dial %s %s: the probe dialled an address the test did not route", network, addr)
		return nil, errors.New("test: unrouted address")
	}
	c, err := (&net.Dialer{}).DialContext(ctx, network, real)
	if err != nil {
		return nil, err
	}
	n := d.open.Add(1)
	for p := d.peak.Load(); n > p && !d.peak.CompareAndSwap(p, n); p = d.peak.Load() {
	}
	return &countedConn{Conn: c, d: d}, nil
}

func (d *dialer) dials() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.dialed...)
}

type countedConn struct {
	net.Conn
	d    *dialer
	once sync.Once
}

func (c *countedConn) Close() error {
	c.once.Do(func() { c.d.open.Add(-1) })
	return c.Conn.Close()
}

// apiServer is a kube-apiserver stand-in that records every request it is sent.
type apiServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []*http.Request
}

func (s *apiServer) requests() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.reqs...)
}

func (s *apiServer) port() string {
	_, p, _ := net.SplitHostPort(s.Listener.Addr().String())
	return p
}

func newAPIServer(t *testing.T, cert tls.Certificate, h http.Handler) *apiServer {
	t.Helper()
	s := &apiServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.reqs = append(s.reqs, r.Clone(context.Background()))
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	s.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	// Handshakes the probe aborts are expected; keep them out of the test log.
	s.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

const gitVersion = "v1.32.1-eks-5e0fdde"

// kube answers like an EKS API server to an anonymous caller; namespaces is the status of
// /api/v1/namespaces (403 by default RBAC, 200 where anonymous was bound to a role).
func kube(namespaces int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/version":
			fmt.Fprintf(w, `{"major":"1","minor":"32","gitVersion":%q,"platform":"linux/amd64"}`, gitVersion)
		case "/healthz":
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "ok")
		case "/api/v1/namespaces":
			w.WriteHeader(namespaces)
			if namespaces == http.StatusOK {
				io.WriteString(w, `{"kind":"NamespaceList","apiVersion":"v1","items":[{"metadata":{"name":"default"}}]}`)
			} else {
				io.WriteString(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"namespaces is forbidden: User \"system:anonymous\" cannot list resource \"namespaces\"","reason":"Forbidden","code":403}`)
			}
		default:
			http.NotFound(w, r)
		}
	}
}

// silentListener accepts connections and never says a word. Held connections need no goroutine,
// so they do not count against the leak check.
func silentListener(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if cfg != nil {
				// Complete TLS, then stay silent: a server that takes a request and never answers.
				c.SetDeadline(time.Now().Add(2 * time.Second))
				tc := tls.Server(c, cfg)
				if tc.Handshake() != nil {
					c.Close()
					continue
				}
				c.SetDeadline(time.Time{})
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// closedPort is a port on 127.0.0.1 where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func portOf(addr string) string {
	_, p, _ := net.SplitHostPort(addr)
	return p
}

// checkRequests asserts that every request was an anonymous GET from the probe to the endpoint;
// an empty wantHost skips the Host check for servers that stand in for many endpoints.
func checkRequests(t *testing.T, reqs []*http.Request, wantHost string) {
	t.Helper()
	for _, r := range reqs {
		if r.Method != http.MethodGet || (wantHost != "" && r.Host != wantHost) || r.UserAgent() != UserAgent {
			t.Errorf("request %s %s Host %q User-Agent %q; want GET, Host %q, User-Agent %q", r.Method, r.URL.Path, r.Host, r.UserAgent(), wantHost, UserAgent)
		}
		for _, h := range []string{"Authorization", "Cookie", "Proxy-Authorization"} {
			if v, ok := r.Header[h]; ok {
				t.Errorf("request %s carried %s %q; the probe must send no credentials", r.URL.Path, h, v)
			}
		}
	}
}

// --- tests ---

func TestProbeOneAddress(t *testing.T) {
	ca := newCA(t, "kubernetes")
	other := newCA(t, "interceptor")
	inter := issue(t, ca, "kubernetes-intermediate", true, nil, time.Now().Add(time.Hour))
	allThree := func(v, h, ns int) map[string]HTTPAnswer {
		return map[string]HTTPAnswer{"/version": {Status: v}, "/healthz": {Status: h}, "/api/v1/namespaces": {Status: ns}}
	}
	tests := []struct {
		name     string
		cert     tls.Certificate
		caData   string
		handler  http.Handler
		wantTLS  TLSAnswer
		wantAnon map[string]HTTPAnswer
		wantGit  string
		wantReqs int
	}{
		{
			name: "anonymous may only discover", cert: serverCert(leafFor(t, ca, host)), handler: kube(http.StatusForbidden),
			wantTLS:  TLSAnswer{Outcome: TLSVerified, Subject: "kube-apiserver", Issuer: "kubernetes"},
			wantAnon: allThree(200, 200, 403), wantGit: gitVersion, wantReqs: 3,
		},
		{
			name: "anonymous may list namespaces", cert: serverCert(leafFor(t, ca, host)), handler: kube(http.StatusOK),
			wantTLS:  TLSAnswer{Outcome: TLSVerified, Subject: "kube-apiserver", Issuer: "kubernetes"},
			wantAnon: allThree(200, 200, 200), wantGit: gitVersion, wantReqs: 3,
		},
		{
			name: "chain through an intermediate the server sends", cert: serverCert(leafFor(t, inter, host), inter), handler: kube(http.StatusForbidden),
			wantTLS:  TLSAnswer{Outcome: TLSVerified, Subject: "kube-apiserver", Issuer: "kubernetes-intermediate"},
			wantAnon: allThree(200, 200, 403), wantGit: gitVersion, wantReqs: 3,
		},
		{
			name: "cluster CA second in a bundle", cert: serverCert(leafFor(t, ca, host)), caData: caData(other, ca), handler: kube(http.StatusForbidden),
			wantTLS:  TLSAnswer{Outcome: TLSVerified, Subject: "kube-apiserver", Issuer: "kubernetes"},
			wantAnon: allThree(200, 200, 403), wantGit: gitVersion, wantReqs: 3,
		},
		{
			name: "certificate from another CA gets nothing but the handshake", cert: serverCert(leafFor(t, other, host)), handler: kube(http.StatusOK),
			wantTLS: TLSAnswer{Outcome: TLSUntrusted, Subject: "kube-apiserver", Issuer: "interceptor"},
		},
		{
			name: "another CA and another name is untrusted, not wrong-host", cert: serverCert(leafFor(t, other, "proxy.example.com")), handler: kube(http.StatusOK),
			wantTLS: TLSAnswer{Outcome: TLSUntrusted, Subject: "kube-apiserver", Issuer: "interceptor"},
		},
		{
			name: "cluster CA but another host name", cert: serverCert(leafFor(t, ca, "efgh.gr7.us-east-1.eks.amazonaws.com")), handler: kube(http.StatusOK),
			wantTLS: TLSAnswer{Outcome: TLSWrongHost, Subject: "kube-apiserver", Issuer: "kubernetes"},
		},
		{
			name: "expired certificate is untrusted", cert: serverCert(issue(t, ca, "kube-apiserver", false, []string{host}, time.Now().Add(-time.Hour))), handler: kube(http.StatusOK),
			wantTLS: TLSAnswer{Outcome: TLSUntrusted, Subject: "kube-apiserver", Issuer: "kubernetes"},
		},
		{
			name: "redirect is reported, not followed", cert: serverCert(leafFor(t, ca, host)),
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/version" {
					http.Redirect(w, r, "https://login.example.com/version", http.StatusFound)
					return
				}
				kube(http.StatusForbidden)(w, r)
			}),
			wantTLS:  TLSAnswer{Outcome: TLSVerified, Subject: "kube-apiserver", Issuer: "kubernetes"},
			wantAnon: allThree(302, 200, 403), wantReqs: 3,
		},
		{
			name: "server closing after each answer is reconnected and verified again", cert: serverCert(leafFor(t, ca, host)),
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Connection", "close")
				kube(http.StatusForbidden)(w, r)
			}),
			wantTLS:  TLSAnswer{Outcome: TLSVerified, Subject: "kube-apiserver", Issuer: "kubernetes"},
			wantAnon: allThree(200, 200, 403), wantGit: gitVersion, wantReqs: 3,
		},
		{
			name: "oversized body is cut at 64 KiB", cert: serverCert(leafFor(t, ca, host)),
			handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/version" {
					fmt.Fprintf(w, `{"gitVersion":%q,"pad":"%s"}`, gitVersion, strings.Repeat("x", 1<<20))
					return
				}
				kube(http.StatusForbidden)(w, r)
			}),
			wantTLS: TLSAnswer{Outcome: TLSVerified, Subject: "kube-apiserver", Issuer: "kubernetes"},
			// The JSON is cut short, so no version is claimed from it.
			wantAnon: allThree(200, 200, 403), wantReqs: 3,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newAPIServer(t, tc.cert, tc.handler)
			data := tc.caData
			if data == "" {
				data = caData(ca)
			}
			endpoint := "https://" + host + ":" + srv.port()
			r := Probe(context.Background(), Target{Endpoint: endpoint, CA: data},
				Options{Timeout: 2 * time.Second, Resolver: resolverFor(host), TreatAsPublic: loopbackPublic})

			if r.Error != "" || r.DNSError != "" || r.Host != host || r.Port != srv.port() {
				t.Fatalf("Error %q DNSError %q Host %q Port %q; want a probed %s:%s", r.Error, r.DNSError, r.Host, r.Port, host, srv.port())
			}
			want := []Address{{IP: "127.0.0.1", Class: Public, TCP: TCPOpen, TLS: &tc.wantTLS}}
			if !reflect.DeepEqual(r.Resolved, want) {
				t.Errorf("Resolved %s; want %s", show(r.Resolved), show(want))
			}
			if !reflect.DeepEqual(r.Anonymous, tc.wantAnon) || r.GitVersion != tc.wantGit {
				t.Errorf("Anonymous %v GitVersion %q; want %v %q", r.Anonymous, r.GitVersion, tc.wantAnon, tc.wantGit)
			}
			reqs := srv.requests()
			if len(reqs) != tc.wantReqs {
				t.Errorf("server saw %d requests; want %d", len(reqs), tc.wantReqs)
			}
			checkRequests(t, reqs, host+":"+srv.port())
		})
	}
}

func show(as []Address) string {
	var b strings.Builder
	for _, a := range as {
		fmt.Fprintf(&b, "{%s %s %s", a.IP, a.Class, a.TCP)
		if a.TLS != nil {
			fmt.Fprintf(&b, " %+v", *a.TLS)
		}
		b.WriteString("} ")
	}
	return b.String()
}

func TestProbeUnresponsive(t *testing.T) {
	ca := newCA(t, "kubernetes")
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{serverCert(leafFor(t, ca, host))}}
	timeouts := map[string]HTTPAnswer{"/version": {Error: HTTPTimeout}, "/healthz": {Error: HTTPTimeout}, "/api/v1/namespaces": {Error: HTTPTimeout}}
	tests := []struct {
		name     string
		addr     string
		wantTCP  string
		wantTLS  *TLSAnswer
		wantAnon map[string]HTTPAnswer
	}{
		{name: "closed port is refused", addr: closedPort(t), wantTCP: TCPRefused},
		{name: "silent listener times out the handshake", addr: silentListener(t, nil), wantTCP: TCPOpen, wantTLS: &TLSAnswer{Outcome: TLSTimeout}},
		{name: "verified server that never answers HTTP times out each request", addr: silentListener(t, tlsCfg), wantTCP: TCPOpen,
			wantTLS: &TLSAnswer{Outcome: TLSVerified, Subject: "kube-apiserver", Issuer: "kubernetes"}, wantAnon: timeouts},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Probe(context.Background(), Target{Endpoint: "https://" + host + ":" + portOf(tc.addr), CA: caData(ca)},
				Options{Timeout: 200 * time.Millisecond, Resolver: resolverFor(host)})
			if len(r.Resolved) != 1 {
				t.Fatalf("Resolved %s; want one address", show(r.Resolved))
			}
			got := r.Resolved[0]
			if got.Class != Other || got.TCP != tc.wantTCP || !reflect.DeepEqual(got.TLS, tc.wantTLS) {
				t.Errorf("got %s; want class other, TCP %s, TLS %+v", show(r.Resolved), tc.wantTCP, tc.wantTLS)
			}
			if !reflect.DeepEqual(r.Anonymous, tc.wantAnon) {
				t.Errorf("Anonymous %v; want %v", r.Anonymous, tc.wantAnon)
			}
		})
	}
}

func TestProbeTCPOutcomes(t *testing.T) {
	ca := newCA(t, "kubernetes")
	failWith := func(err error) func(context.Context, string, string) (net.Conn, error) {
		return func(context.Context, string, string) (net.Conn, error) {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: err}
		}
	}
	tests := []struct {
		name string
		dial func(context.Context, string, string) (net.Conn, error)
		want string
	}{
		{name: "refused", dial: failWith(os.NewSyscallError("connect", syscall.ECONNREFUSED)), want: TCPRefused},
		{name: "host unreachable", dial: failWith(os.NewSyscallError("connect", syscall.EHOSTUNREACH)), want: TCPUnreachable},
		{name: "network unreachable", dial: failWith(os.NewSyscallError("connect", syscall.ENETUNREACH)), want: TCPUnreachable},
		{name: "no answer within the timeout", want: TCPTimeout,
			dial: func(ctx context.Context, _, _ string) (net.Conn, error) { <-ctx.Done(); return nil, ctx.Err() }},
		{name: "anything else is named", dial: failWith(errors.New("too many open files")), want: "error: dial tcp: too many open files"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Probe(context.Background(), Target{Endpoint: "https://" + host, CA: caData(ca)},
				Options{Timeout: 100 * time.Millisecond, Resolver: resolverFor(host), Dial: tc.dial})
			want := []Address{{IP: "127.0.0.1", Class: Other, TCP: tc.want}}
			if !reflect.DeepEqual(r.Resolved, want) || r.Anonymous != nil {
				t.Errorf("Resolved %s Anonymous %v; want %s and no questions", show(r.Resolved), r.Anonymous, show(want))
			}
		})
	}
}

func TestProbeDNS(t *testing.T) {
	ca := newCA(t, "kubernetes")
	tests := []struct {
		name  string
		addrs []netip.Addr
		err   error
		want  string
	}{
		{name: "no such host", err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}, want: DNSNotFound},
		{name: "resolver timeout", err: &net.DNSError{Err: "i/o timeout", Name: host, IsTimeout: true}, want: DNSTimeout},
		{name: "lookup deadline", err: context.DeadlineExceeded, want: DNSTimeout},
		{name: "server failure", err: &net.DNSError{Err: "server misbehaving", Name: host}, want: "failed: lookup " + host + ": server misbehaving"},
		{name: "no records", addrs: []netip.Addr{}, want: DNSNoAddresses},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := &fakeResolver{names: map[string][]netip.Addr{host: tc.addrs}, errs: map[string]error{host: tc.err}}
			d := &dialer{t: t}
			r := Probe(context.Background(), Target{Endpoint: "https://" + host, CA: caData(ca)}, Options{Resolver: res, Dial: d.Dial})
			if r.DNSError != tc.want || r.Error != "" || r.Resolved == nil || len(r.Resolved) != 0 || r.Anonymous != nil {
				t.Errorf("DNSError %q Error %q Resolved %#v Anonymous %v; want DNSError %q and nothing else", r.DNSError, r.Error, r.Resolved, r.Anonymous, tc.want)
			}
			if got := d.dials(); len(got) != 0 {
				t.Errorf("dialled %v after a failed lookup", got)
			}
		})
	}
}

func TestProbeBadTargets(t *testing.T) {
	ca := newCA(t, "kubernetes")
	goodCA := caData(ca)
	tests := []struct {
		name   string
		target Target
		want   string
	}{
		{name: "no endpoint", target: Target{CA: goodCA}, want: "no endpoint"},
		{name: "plain http", target: Target{Endpoint: "http://" + host, CA: goodCA}, want: "scheme must be https"},
		{name: "no scheme", target: Target{Endpoint: host, CA: goodCA}, want: "scheme must be https"},
		{name: "no host", target: Target{Endpoint: "https://", CA: goodCA}, want: "has no host"},
		{name: "port without host", target: Target{Endpoint: "https://:443", CA: goodCA}, want: "has no host"},
		{name: "bad port", target: Target{Endpoint: "https://" + host + ":99999", CA: goodCA}, want: "bad port"},
		{name: "user info", target: Target{Endpoint: "https://admin:secret@" + host, CA: goodCA}, want: "more than a host and port"},
		{name: "no CA", target: Target{Endpoint: "https://" + host}, want: "no certificate authority data"},
		{name: "CA not base64", target: Target{Endpoint: "https://" + host, CA: "not*base64!"}, want: "not base64"},
		{name: "CA base64 without PEM", target: Target{Endpoint: "https://" + host, CA: base64.StdEncoding.EncodeToString([]byte("hello"))}, want: "no PEM certificate"},
		{name: "CA PEM that is not a certificate", target: Target{Endpoint: "https://" + host,
			CA: base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("junk")}))}, want: "certificate authority certificate 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := resolverFor(host)
			d := &dialer{t: t}
			r := Probe(context.Background(), tc.target, Options{Resolver: res, Dial: d.Dial})
			if !strings.Contains(r.Error, tc.want) {
				t.Errorf("Error %q; want it to contain %q", r.Error, tc.want)
			}
			if r.Resolved == nil || len(r.Resolved) != 0 || r.Endpoint != tc.target.Endpoint {
				t.Errorf("Resolved %#v Endpoint %q; want [] and the endpoint as given", r.Resolved, r.Endpoint)
			}
			if js, err := json.Marshal(r); err != nil || !strings.Contains(string(js), `"resolved":[]`) {
				t.Errorf("JSON %s, %v; want an empty resolved list, never null", js, err)
			}
			if res.calls.Load() != 0 || len(d.dials()) != 0 {
				t.Errorf("%d lookups and dials %v for a bad target; want nothing sent", res.calls.Load(), d.dials())
			}
		})
	}
}

func TestProbeSeveralAddresses(t *testing.T) {
	ca := newCA(t, "kubernetes")
	srv := newAPIServer(t, serverCert(leafFor(t, ca, host)), kube(http.StatusForbidden))
	srv2 := newAPIServer(t, serverCert(leafFor(t, ca, host)), kube(http.StatusForbidden))
	live, live2, closed := "127.0.0.1:"+srv.port(), "127.0.0.1:"+srv2.port(), closedPort(t)
	verified := &TLSAnswer{Outcome: TLSVerified, Subject: "kube-apiserver", Issuer: "kubernetes"}
	anon := map[string]HTTPAnswer{"/version": {Status: 200}, "/healthz": {Status: 200}, "/api/v1/namespaces": {Status: 403}}

	var ten []netip.Addr
	var tenWant []Address
	tenRoutes := map[string]string{}
	for i := 1; i <= 10; i++ {
		a := netip.MustParseAddr(fmt.Sprintf("10.0.0.%d", i))
		ten = append(ten, a)
		tenRoutes[a.String()+":443"] = closed
		w := Address{IP: a.String(), Class: Private, TCP: TCPRefused}
		if i > MaxAddresses {
			w.TCP = TCPNotTried
		}
		tenWant = append(tenWant, w)
	}
	tests := []struct {
		name      string
		addrs     []netip.Addr
		routes    map[string]string
		want      []Address
		wantAnon  map[string]HTTPAnswer
		wantDials int
		reqs1     int // requests seen by srv
		reqs2     int // requests seen by srv2
	}{
		{
			name:   "first refused, second verifies and is asked",
			addrs:  []netip.Addr{netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("52.1.2.3")},
			routes: map[string]string{"10.1.2.3:443": closed, "52.1.2.3:443": live},
			want: []Address{{IP: "10.1.2.3", Class: Private, TCP: TCPRefused},
				{IP: "52.1.2.3", Class: Public, TCP: TCPOpen, TLS: verified}},
			wantAnon: anon, wantDials: 2, reqs1: 3,
		},
		{
			name:   "two verify; only the first is asked",
			addrs:  []netip.Addr{netip.MustParseAddr("52.1.2.3"), netip.MustParseAddr("::ffff:52.1.2.4")},
			routes: map[string]string{"52.1.2.3:443": live, "52.1.2.4:443": live2},
			want: []Address{{IP: "52.1.2.3", Class: Public, TCP: TCPOpen, TLS: verified},
				{IP: "52.1.2.4", Class: Public, TCP: TCPOpen, TLS: verified}},
			wantAnon: anon, wantDials: 2, reqs1: 3,
		},
		{
			name:  "more than eight addresses: the rest are listed, not tried",
			addrs: ten, routes: tenRoutes, want: tenWant, wantDials: MaxAddresses,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before1, before2 := len(srv.requests()), len(srv2.requests())
			d := &dialer{t: t, routes: tc.routes}
			res := &fakeResolver{names: map[string][]netip.Addr{host: tc.addrs}}
			r := Probe(context.Background(), Target{Endpoint: "https://" + host, CA: caData(ca)}, Options{Timeout: 2 * time.Second, Resolver: res, Dial: d.Dial})
			if r.Port != "443" || !reflect.DeepEqual(r.Resolved, tc.want) {
				t.Errorf("Port %q Resolved %s; want 443 and %s", r.Port, show(r.Resolved), show(tc.want))
			}
			if !reflect.DeepEqual(r.Anonymous, tc.wantAnon) {
				t.Errorf("Anonymous %v; want %v", r.Anonymous, tc.wantAnon)
			}
			if got := d.dials(); len(got) != tc.wantDials {
				t.Errorf("dials %v; want %d", got, tc.wantDials)
			}
			reqs1, reqs2 := srv.requests()[before1:], srv2.requests()[before2:]
			if len(reqs1) != tc.reqs1 || len(reqs2) != tc.reqs2 {
				t.Errorf("servers saw %d and %d requests; want %d and %d", len(reqs1), len(reqs2), tc.reqs1, tc.reqs2)
			}
			checkRequests(t, append(reqs1, reqs2...), host)
		})
	}
}

func TestProbeCancel(t *testing.T) {
	ca := newCA(t, "kubernetes")
	silent := silentListener(t, nil)
	tlsSilent := silentListener(t, &tls.Config{Certificates: []tls.Certificate{serverCert(leafFor(t, ca, host))}})
	canceled := HTTPAnswer{Error: "context canceled"}
	tests := []struct {
		name      string
		addr      string
		cancelIn  time.Duration // <0: cancelled before the call
		wantError string
		wantTLS   string
		wantAnon  map[string]HTTPAnswer
	}{
		{name: "cancelled before the call sends nothing", addr: silent, cancelIn: -1, wantError: "not probed: context canceled"},
		{name: "cancelled during the handshake stops it", addr: silent, cancelIn: 100 * time.Millisecond, wantTLS: "failed: context canceled"},
		{name: "cancelled while waiting for an answer stops asking", addr: tlsSilent, cancelIn: 200 * time.Millisecond, wantTLS: TLSVerified,
			wantAnon: map[string]HTTPAnswer{"/version": canceled, "/healthz": canceled, "/api/v1/namespaces": canceled}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancelIn < 0 {
				cancel()
			} else {
				time.AfterFunc(tc.cancelIn, cancel)
			}
			d := &dialer{t: t}
			start := time.Now()
			r := Probe(ctx, Target{Endpoint: "https://" + host + ":" + portOf(tc.addr), CA: caData(ca)},
				Options{Timeout: 10 * time.Second, Resolver: resolverFor(host), Dial: d.Dial})
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("Probe took %v after cancellation; want it to stop well before the 10s step timeout", took)
			}
			if r.Error != tc.wantError {
				t.Errorf("Error %q; want %q", r.Error, tc.wantError)
			}
			var gotTLS string
			if len(r.Resolved) == 1 && r.Resolved[0].TLS != nil {
				gotTLS = r.Resolved[0].TLS.Outcome
			}
			if gotTLS != tc.wantTLS {
				t.Errorf("TLS outcome %q; want %q (%s)", gotTLS, tc.wantTLS, show(r.Resolved))
			}
			if !reflect.DeepEqual(r.Anonymous, tc.wantAnon) {
				t.Errorf("Anonymous %v; want %v", r.Anonymous, tc.wantAnon)
			}
			if tc.wantError != "" && len(d.dials()) != 0 {
				t.Errorf("dialled %v; want nothing sent", d.dials())
			}
		})
	}
}

// barrier holds each /version request until want of them are in the handler at once, so the peak
// it records is the probe's real concurrency rather than an accident of timing.
type barrier struct {
	want      int64
	cur, peak atomic.Int64
	full      chan struct{}
	once      sync.Once
}

func (b *barrier) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/version" {
		n := b.cur.Add(1)
		for p := b.peak.Load(); n > p && !b.peak.CompareAndSwap(p, n); p = b.peak.Load() {
		}
		if n >= b.want {
			b.once.Do(func() { close(b.full) })
		}
		select {
		case <-b.full:
		case <-time.After(2 * time.Second):
			// The limit is not being reached; stop holding anyone, and let the peak tell.
			b.once.Do(func() { close(b.full) })
		}
		// Stay a little, so a probe that overshot its limit would be caught overlapping.
		time.Sleep(20 * time.Millisecond)
		b.cur.Add(-1)
	}
	kube(http.StatusForbidden)(w, r)
}

func TestProbeAllOrderAndInFlight(t *testing.T) {
	ca := newCA(t, "kubernetes")
	cert := serverCert(leafFor(t, ca, "*.gr7.us-east-1.eks.amazonaws.com"))
	for _, inFlight := range []int{32, 3} {
		t.Run(fmt.Sprintf("InFlight %d", inFlight), func(t *testing.T) {
			b := &barrier{want: int64(inFlight), full: make(chan struct{})}
			srv := newAPIServer(t, cert, b)
			res := &fakeResolver{names: map[string][]netip.Addr{}}
			var ts []Target
			for i := range 40 {
				h := fmt.Sprintf("t%02d.gr7.us-east-1.eks.amazonaws.com", i)
				res.names[h] = []netip.Addr{netip.MustParseAddr("127.0.0.1")}
				ts = append(ts, Target{Endpoint: "https://" + h + ":" + srv.port(), CA: caData(ca)})
			}
			// Targets that fail at once, among slow ones, show the order is kept.
			for _, i := range []int{5, 17, 39} {
				ts = append(ts[:i], append([]Target{{Endpoint: fmt.Sprintf("http://bad%d", i)}}, ts[i:]...)...)
			}
			d := &dialer{t: t}
			rs := ProbeAll(context.Background(), ts, Options{Timeout: 5 * time.Second, InFlight: inFlight, Resolver: res, Dial: d.Dial})
			if len(rs) != len(ts) {
				t.Fatalf("%d results for %d targets", len(rs), len(ts))
			}
			for i, r := range rs {
				if r.Endpoint != ts[i].Endpoint {
					t.Errorf("result %d is for %q; want %q", i, r.Endpoint, ts[i].Endpoint)
					continue
				}
				bad := strings.HasPrefix(ts[i].Endpoint, "http://")
				if bad != (r.Error != "") || (!bad && (len(r.Resolved) != 1 || r.GitVersion != gitVersion)) {
					t.Errorf("result %d for %s: Error %q Resolved %s GitVersion %q", i, r.Endpoint, r.Error, show(r.Resolved), r.GitVersion)
				}
			}
			if got := b.peak.Load(); got != int64(inFlight) {
				t.Errorf("server saw %d targets asking at once; want exactly %d", got, inFlight)
			}
			if got := d.peak.Load(); got > int64(inFlight) {
				t.Errorf("%d connections open at once; want at most %d", got, inFlight)
			}
			checkRequests(t, srv.requests(), "")
		})
	}
}

func TestProbeAllDeadline(t *testing.T) {
	ca := newCA(t, "kubernetes")
	silent := silentListener(t, nil)
	var ts []Target
	for range 5 {
		ts = append(ts, Target{Endpoint: "https://" + host + ":" + portOf(silent), CA: caData(ca)})
	}
	ts = append(ts, Target{Endpoint: "http://" + host, CA: caData(ca)})
	start := time.Now()
	rs := ProbeAll(context.Background(), ts, Options{Timeout: 10 * time.Second, Deadline: 300 * time.Millisecond, InFlight: 2, Resolver: resolverFor(host)})
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("ProbeAll took %v; want it to end near its 300ms deadline, not the 10s step timeout", took)
	}
	tests := []struct {
		name      string
		index     int
		wantError string
		wantTLS   string
	}{
		{name: "first in flight is cut short", index: 0, wantTLS: "failed: the probe deadline passed"},
		{name: "second in flight is cut short", index: 1, wantTLS: "failed: the probe deadline passed"},
		{name: "waiting target is not probed", index: 2, wantError: "not probed: the probe deadline passed"},
		{name: "last waiting target is not probed", index: 4, wantError: "not probed: the probe deadline passed"},
		{name: "a bad target says why it is bad", index: 5, wantError: "scheme must be https"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := rs[tc.index]
			if !strings.Contains(r.Error, tc.wantError) || (tc.wantError == "") != (r.Error == "") {
				t.Errorf("Error %q; want %q", r.Error, tc.wantError)
			}
			var gotTLS string
			if len(r.Resolved) == 1 && r.Resolved[0].TLS != nil {
				gotTLS = r.Resolved[0].TLS.Outcome
			}
			if gotTLS != tc.wantTLS {
				t.Errorf("TLS outcome %q; want %q", gotTLS, tc.wantTLS)
			}
		})
	}
}

// TestNoGoroutinesLeft runs every kind of probe, including ones cut short, and then expects the
// goroutine count back where it was: the probe leaves nothing running behind it.
func TestNoGoroutinesLeft(t *testing.T) {
	ca, other := newCA(t, "kubernetes"), newCA(t, "interceptor")
	good := newAPIServer(t, serverCert(leafFor(t, ca, host)), kube(http.StatusForbidden))
	stranger := newAPIServer(t, serverCert(leafFor(t, other, host)), kube(http.StatusOK))
	silent := silentListener(t, nil)
	tlsSilent := silentListener(t, &tls.Config{Certificates: []tls.Certificate{serverCert(leafFor(t, ca, host))}})
	closed := closedPort(t)
	var ts []Target
	for _, addr := range []string{"127.0.0.1:" + good.port(), "127.0.0.1:" + stranger.port(), silent, tlsSilent, closed, silent} {
		ts = append(ts, Target{Endpoint: "https://" + host + ":" + portOf(addr), CA: caData(ca)})
	}
	before := runtime.NumGoroutine()

	rs := ProbeAll(context.Background(), ts, Options{Timeout: 150 * time.Millisecond, InFlight: 3, Resolver: resolverFor(host)})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	cut := ProbeAll(ctx, ts, Options{Timeout: 2 * time.Second, Resolver: resolverFor(host)})
	if rs[0].GitVersion != gitVersion || len(cut) != len(ts) {
		t.Fatalf("probes did not run: %+v", rs[0])
	}

	after := runtime.NumGoroutine()
	for end := time.Now().Add(3 * time.Second); after > before && time.Now().Before(end); after = runtime.NumGoroutine() {
		time.Sleep(20 * time.Millisecond)
	}
	if after > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before, %d after:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name   string
		addr   string
		public []netip.Prefix
		want   Class
	}{
		{name: "RFC 1918 10/8", addr: "10.1.2.3", want: Private},
		{name: "RFC 1918 172.16/12", addr: "172.31.255.1", want: Private},
		{name: "just outside 172.16/12", addr: "172.32.0.1", want: Public},
		{name: "RFC 1918 192.168/16", addr: "192.168.0.10", want: Private},
		{name: "RFC 6598 shared space", addr: "100.64.0.1", want: Private},
		{name: "unique local", addr: "fd00::1", want: Private},
		{name: "IPv6 link-local", addr: "fe80::1", want: Private},
		{name: "IPv4 link-local", addr: "169.254.169.254", want: Private},
		{name: "loopback", addr: "127.0.0.1", want: Other},
		{name: "loopback treated as public", addr: "127.0.0.1", public: loopbackPublic, want: Public},
		{name: "IPv6 loopback", addr: "::1", want: Other},
		{name: "unspecified", addr: "0.0.0.0", want: Other},
		{name: "documentation", addr: "203.0.113.7", want: Other},
		{name: "IPv6 documentation", addr: "2001:db8::1", want: Other},
		{name: "multicast", addr: "224.0.0.1", want: Other},
		{name: "public IPv4", addr: "8.8.8.8", want: Public},
		{name: "public IPv6", addr: "2600::1", want: Public},
		{name: "IPv4-mapped private", addr: "::ffff:10.0.0.1", want: Private},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Classify(netip.MustParseAddr(tc.addr), tc.public); got != tc.want {
				t.Errorf("Classify(%s) = %s; want %s", tc.addr, got, tc.want)
			}
		})
	}
}

func TestPublicFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		want    []netip.Prefix
		wantErr string
	}{
		{name: "unset", value: ""},
		{name: "blank", value: "  "},
		{name: "one block", value: "127.0.0.0/8", want: loopbackPublic},
		{name: "several with spaces", value: " 127.0.0.0/8 , ::1/128,10.0.0.0/8 ",
			want: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("10.0.0.0/8")}},
		{name: "host bits are masked", value: "127.0.0.1/8", want: loopbackPublic},
		{name: "a bad block is named", value: "127.0.0.0/8, 10.0.0.0/33", wantErr: `"10.0.0.0/33"`},
		{name: "an address is not a block", value: "127.0.0.1", wantErr: `"127.0.0.1" is not a CIDR block`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := PublicFromEnv(func(k string) string {
				if k == EnvTreatAsPublic {
					return tc.value
				}
				return ""
			})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), EnvTreatAsPublic) {
					t.Errorf("error %v; want one naming %s and %s", err, EnvTreatAsPublic, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestCallerIP(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		want    string
		wantErr string
	}{
		{name: "address with newline", status: 200, body: "203.0.113.9\n", want: "203.0.113.9"},
		{name: "IPv6", status: 200, body: "2600::1", want: "2600::1"},
		{name: "not OK", status: 503, body: "busy", wantErr: "HTTP 503"},
		{name: "not an address", status: 200, body: "<html>", wantErr: `"<html>" is not an IP address`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			got, err := CallerIP(context.Background(), nil, srv.URL)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %v; want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got.String() != tc.want {
				t.Errorf("got %v, %v; want %s", got, err, tc.want)
			}
		})
	}
}
