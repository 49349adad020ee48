// Package probe proves what an EKS API server endpoint answers from where eksguard runs. The
// endpointPublicAccess flag and its CIDR list say what AWS was asked for; only a connection says what
// a caller on this network actually reaches: which addresses the name resolves to, which of them take
// a TCP connection, whether the certificate there chains to the cluster's own CA, and what the API
// server tells a caller without credentials. The package reports those facts; checks judge them.
//
// An untrusted certificate may belong to an interceptor, so nothing but the TLS handshake is ever
// sent to a server whose certificate does not verify against the cluster's CA, and nothing at all is
// sent to any other host.
package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Defaults and limits of Options.
const (
	DefaultTimeout  = 3 * time.Second
	DefaultDeadline = 2 * time.Minute
	MaxInFlight     = 32
	// MaxAddresses bounds the connections to one name: a record set longer than this is listed,
	// not probed, so a hostile or broken zone cannot turn one target into a port scan.
	MaxAddresses = 8
	// MaxBody is how much of each response body is read; /version is a few hundred bytes.
	MaxBody   = 64 << 10
	UserAgent = "eksguard-probe"
)

// TCP outcomes of Address.TCP; anything else starts with "error: ".
const (
	TCPOpen        = "open"
	TCPRefused     = "refused"
	TCPTimeout     = "timeout"
	TCPUnreachable = "unreachable"
	TCPNotTried    = "not tried"
)

// TLS outcomes of TLSAnswer.Outcome; anything else starts with "failed: ".
const (
	TLSVerified  = "verified"
	TLSUntrusted = "untrusted"
	TLSWrongHost = "wrong-host"
	TLSTimeout   = "timeout"
)

// DNS failures of Result.DNSError; anything else starts with "failed: ".
const (
	DNSNotFound    = "not found"
	DNSTimeout     = "timeout"
	DNSNoAddresses = "no addresses"
)

// HTTPTimeout is HTTPAnswer.Error when the server did not answer within Options.Timeout.
const HTTPTimeout = "timeout"

// AnonymousPaths are the requests made without credentials on a verified connection: what the
// server is, whether it is up, and whether anonymous callers are authorised beyond discovery.
var AnonymousPaths = []string{"/version", "/healthz", "/api/v1/namespaces"}

// errDeadline is the cause of a ProbeAll that ran out of time, so results say so rather than
// "context deadline exceeded", which reads like a per-step timeout.
var errDeadline = errors.New("the probe deadline passed")

// Target is one cluster's endpoint.
type Target struct {
	// Endpoint is DescribeCluster's endpoint, "https://HOST" with an optional port (default 443).
	Endpoint string
	// CA is certificateAuthority.data: base64 of one or more PEM certificates.
	CA string
}

// Resolver looks up a name's addresses; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Options bound and steer a probe. Zero values take the defaults.
type Options struct {
	// Timeout bounds each step: the DNS lookup, each connect, each handshake, each HTTP request.
	Timeout time.Duration
	// Deadline bounds a whole ProbeAll.
	Deadline time.Duration
	// InFlight is how many targets ProbeAll probes at once, at most MaxInFlight.
	InFlight int
	// TreatAsPublic are blocks whose addresses count as public (see PublicFromEnv).
	TreatAsPublic []netip.Prefix
	// Resolver defaults to net.DefaultResolver.
	Resolver Resolver
	// Dial defaults to a net.Dialer; it is only ever asked for "tcp" to a resolved address.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Deadline <= 0 {
		o.Deadline = DefaultDeadline
	}
	if o.InFlight <= 0 || o.InFlight > MaxInFlight {
		o.InFlight = MaxInFlight
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	if o.Dial == nil {
		o.Dial = (&net.Dialer{}).DialContext
	}
	return o
}

// Result is what one endpoint answered.
type Result struct {
	Endpoint string `json:"endpoint"`
	Host     string `json:"host"`
	Port     string `json:"port"`
	// Error says the target itself is unusable (no endpoint, not https, CA not decodable) or was
	// not reached before the deadline: nothing was sent.
	Error string `json:"error,omitempty"`
	// Resolved is every A/AAAA record, in the resolver's order, each classified and probed.
	Resolved []Address `json:"resolved"`
	// DNSError says why the name did not resolve: DNSNotFound, DNSTimeout, DNSNoAddresses or
	// "failed: ...".
	DNSError string `json:"dnsError,omitempty"`
	// Anonymous holds the answers to AnonymousPaths, asked once, on the first address whose
	// certificate verified; nil when none did.
	Anonymous map[string]HTTPAnswer `json:"anonymous,omitempty"`
	// GitVersion is from /version's JSON when it answered 200.
	GitVersion string `json:"gitVersion,omitempty"`
}

// Address is one resolved address and what it answered.
type Address struct {
	IP    string `json:"ip"`
	Class Class  `json:"class"`
	// TCP is one of the TCP* constants or "error: ...".
	TCP string `json:"tcp"`
	// TLS is set only when TCP is open.
	TLS *TLSAnswer `json:"tls,omitempty"`
}

// TLSAnswer is the outcome of the handshake on one address.
type TLSAnswer struct {
	// Outcome is TLSVerified (chains to the cluster CA and names the host), TLSUntrusted (does not
	// chain to the cluster CA: an interceptor or another server), TLSWrongHost (chains but is not
	// valid for the host), TLSTimeout or "failed: <error>".
	Outcome string `json:"outcome"`
	// Subject and Issuer name the leaf certificate, as evidence of who answered.
	Subject string `json:"subject,omitempty"`
	Issuer  string `json:"issuer,omitempty"`
}

// HTTPAnswer is the answer to one anonymous request.
type HTTPAnswer struct {
	Status int    `json:"status,omitempty"`
	Error  string `json:"error,omitempty"`
}

// target is a Target that parsed.
type target struct {
	host      string // without brackets
	port      uint16
	authority string // host[:port] as the Host header carries it
	roots     *x509.CertPool
}

func parseTarget(t Target) (target, Result, error) {
	r := Result{Endpoint: t.Endpoint, Resolved: []Address{}}
	if strings.TrimSpace(t.Endpoint) == "" {
		return target{}, r, errors.New("no endpoint")
	}
	u, err := url.Parse(t.Endpoint)
	if err != nil {
		return target{}, r, fmt.Errorf("endpoint: %w", err)
	}
	if u.Scheme != "https" {
		return target{}, r, fmt.Errorf("endpoint %q: scheme must be https", t.Endpoint)
	}
	if u.Hostname() == "" {
		return target{}, r, fmt.Errorf("endpoint %q has no host", t.Endpoint)
	}
	// DescribeCluster never returns these; one that does is not the endpoint it claims to be, and
	// user info would be a credential we must not send.
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
		return target{}, r, fmt.Errorf("endpoint %q has more than a host and port", t.Endpoint)
	}
	tg := target{host: u.Hostname(), port: 443, authority: u.Host}
	r.Host, r.Port = tg.host, "443"
	if p := u.Port(); p != "" {
		n, err := strconv.ParseUint(p, 10, 16)
		if err != nil || n == 0 {
			return target{}, r, fmt.Errorf("endpoint %q: bad port %q", t.Endpoint, p)
		}
		tg.port, r.Port = uint16(n), strconv.FormatUint(n, 10)
		if n == 443 {
			tg.authority = hostOnly(tg.host)
		}
	}
	tg.roots, err = parseCA(t.CA)
	if err != nil {
		return target{}, r, err
	}
	return tg, r, nil
}

func hostOnly(host string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]"
	}
	return host
}

// parseCA builds a pool of every certificate in the bundle; the system roots are deliberately not
// in it, because a certificate a public CA issued for the name is still not the cluster's.
func parseCA(data string) (*x509.CertPool, error) {
	s := strings.Join(strings.Fields(data), "")
	if s == "" {
		return nil, errors.New("no certificate authority data")
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("certificate authority data is not base64: %w", err)
	}
	pool := x509.NewCertPool()
	n := 0
	for rest := raw; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate authority certificate %d: %w", n+1, err)
		}
		pool.AddCert(c)
		n++
	}
	if n == 0 {
		return nil, errors.New("certificate authority data holds no PEM certificate")
	}
	return pool, nil
}

// Probe resolves t's host and probes each address; see the package comment for what is sent.
func Probe(ctx context.Context, t Target, o Options) Result {
	o = o.withDefaults()
	tg, r, err := parseTarget(t)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	if ctx.Err() != nil {
		r.Error = "not probed: " + cause(ctx)
		return r
	}
	addrs, dnsErr := resolve(ctx, o, tg.host)
	if dnsErr != "" {
		r.DNSError = dnsErr
		return r
	}
	for i, a := range addrs {
		ad := Address{IP: a.String(), Class: Classify(a, o.TreatAsPublic), TCP: TCPNotTried}
		if i < MaxAddresses && ctx.Err() == nil {
			ap := netip.AddrPortFrom(a, tg.port)
			conn, tcp := dialTCP(ctx, o, ap)
			ad.TCP = tcp
			if conn != nil {
				tc, ans := handshake(ctx, o, conn, tg)
				ad.TLS = &ans
				if tc != nil {
					if r.Anonymous == nil {
						s := &session{ctx: ctx, o: o, tg: tg, ap: ap, conn: tc, br: bufio.NewReader(tc)}
						r.Anonymous, r.GitVersion = s.askAll()
						s.close()
					} else {
						// Every address serves the same API server; asking again would only
						// repeat the answers to another copy of it.
						tc.Close()
					}
				}
			}
		}
		r.Resolved = append(r.Resolved, ad)
	}
	return r
}

// ProbeAll probes each target, at most o.InFlight at once, and returns the results in input order.
// The whole run ends by o.Deadline: steps under way are cut short and targets not yet started are
// reported as not probed.
func ProbeAll(ctx context.Context, ts []Target, o Options) []Result {
	o = o.withDefaults()
	ctx, cancel := context.WithTimeoutCause(ctx, o.Deadline, errDeadline)
	defer cancel()
	out := make([]Result, len(ts))
	sem := make(chan struct{}, o.InFlight)
	var wg sync.WaitGroup
	for i, t := range ts {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			for j := i; j < len(ts); j++ {
				_, r, err := parseTarget(ts[j])
				if err != nil {
					r.Error = err.Error()
				} else {
					r.Error = "not probed: " + cause(ctx)
				}
				out[j] = r
			}
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			out[i] = Probe(ctx, t, o)
		})
	}
	wg.Wait()
	return out
}

// cause says why ctx ended: errDeadline for ProbeAll's own deadline, else the parent's reason.
func cause(ctx context.Context) string { return context.Cause(ctx).Error() }

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout())
}

func resolve(ctx context.Context, o Options, host string) ([]netip.Addr, string) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a.Unmap()}, ""
	}
	lctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	addrs, err := o.Resolver.LookupNetIP(lctx, "ip", host)
	var de *net.DNSError
	switch {
	case err == nil && len(addrs) == 0:
		return nil, DNSNoAddresses
	case err == nil:
		out := make([]netip.Addr, len(addrs))
		for i, a := range addrs {
			out[i] = a.Unmap()
		}
		return out, ""
	case ctx.Err() != nil:
		return nil, "failed: " + cause(ctx)
	case errors.As(err, &de) && de.IsNotFound:
		return nil, DNSNotFound
	case isTimeout(err):
		return nil, DNSTimeout
	default:
		return nil, "failed: " + err.Error()
	}
}

func dialTCP(ctx context.Context, o Options, ap netip.AddrPort) (net.Conn, string) {
	dctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	conn, err := o.Dial(dctx, "tcp", ap.String())
	switch {
	case err == nil:
		return conn, TCPOpen
	case ctx.Err() != nil:
		return nil, "error: " + cause(ctx)
	case errors.Is(err, syscall.ECONNREFUSED):
		return nil, TCPRefused
	case isTimeout(err):
		return nil, TCPTimeout
	case errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH):
		return nil, TCPUnreachable
	default:
		return nil, "error: " + err.Error()
	}
}

// notVerified aborts a handshake whose certificate did not verify, carrying the classification.
type notVerified struct{ ans TLSAnswer }

func (e *notVerified) Error() string { return "certificate " + e.ans.Outcome }

// handshake runs TLS on conn and returns the connection only when the certificate verified against
// the cluster's CA; otherwise conn is closed. crypto/tls's own verification cannot tell an unknown
// authority from a wrong name reliably, so it is skipped and VerifyConnection classifies instead,
// failing the handshake for anything but verified so that such a connection can never carry a
// request.
func handshake(ctx context.Context, o Options, conn net.Conn, tg target) (*tls.Conn, TLSAnswer) {
	var verified TLSAnswer
	cfg := &tls.Config{
		ServerName:         tg.host,
		InsecureSkipVerify: true, // verified below, against the cluster CA only
		MinVersion:         tls.VersionTLS12,
		// Requests are written by hand as HTTP/1.1.
		NextProtos: []string{"http/1.1"},
		VerifyConnection: func(cs tls.ConnectionState) error {
			ans := verify(cs.PeerCertificates, tg.roots, tg.host)
			if ans.Outcome != TLSVerified {
				return &notVerified{ans}
			}
			verified = ans
			return nil
		},
	}
	hctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	tc := tls.Client(conn, cfg)
	err := tc.HandshakeContext(hctx)
	if err == nil {
		return tc, verified
	}
	conn.Close()
	var nv *notVerified
	switch {
	case errors.As(err, &nv):
		return nil, nv.ans
	case ctx.Err() != nil:
		return nil, TLSAnswer{Outcome: "failed: " + cause(ctx)}
	case isTimeout(err):
		return nil, TLSAnswer{Outcome: TLSTimeout}
	default:
		return nil, TLSAnswer{Outcome: "failed: " + err.Error()}
	}
}

// verify checks the chain before the name: x509.Certificate.Verify checks the name first, which
// would report a stranger's certificate for another name as wrong-host rather than untrusted.
func verify(certs []*x509.Certificate, roots *x509.CertPool, host string) TLSAnswer {
	if len(certs) == 0 {
		return TLSAnswer{Outcome: "failed: the server sent no certificate"}
	}
	leaf := certs[0]
	ans := TLSAnswer{Subject: certName(leaf.Subject), Issuer: certName(leaf.Issuer)}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter}); err != nil {
		ans.Outcome = TLSUntrusted
		return ans
	}
	if err := leaf.VerifyHostname(host); err != nil {
		ans.Outcome = TLSWrongHost
		return ans
	}
	ans.Outcome = TLSVerified
	return ans
}

// certName prefers the common name, which is how EKS names its API server and CA ("kube-apiserver",
// "kubernetes"), and falls back to the full name for certificates without one.
func certName(n pkix.Name) string {
	if n.CommonName != "" {
		return n.CommonName
	}
	return n.String()
}

// session asks the anonymous questions over verified connections to one address. Requests are
// written by hand rather than through http.Client so that nothing can add a proxy, a cookie, a
// redirect or a background dial, and a connection exists only while this code holds it.
type session struct {
	ctx  context.Context
	o    Options
	tg   target
	ap   netip.AddrPort
	conn *tls.Conn
	br   *bufio.Reader
}

func (s *session) close() {
	if s.conn != nil {
		s.conn.Close()
		s.conn, s.br = nil, nil
	}
}

func (s *session) askAll() (map[string]HTTPAnswer, string) {
	out := make(map[string]HTTPAnswer, len(AnonymousPaths))
	var git string
	for _, p := range AnonymousPaths {
		ans, body := s.get(p)
		out[p] = ans
		if p == "/version" && ans.Status == http.StatusOK {
			var v struct {
				GitVersion string `json:"gitVersion"`
			}
			if json.Unmarshal(body, &v) == nil {
				git = v.GitVersion
			}
		}
	}
	return out, git
}

// aLongTimeAgo interrupts a blocked read or write at once.
var aLongTimeAgo = time.Unix(1, 0)

func (s *session) get(path string) (HTTPAnswer, []byte) {
	if s.ctx.Err() != nil {
		s.close()
		return HTTPAnswer{Error: cause(s.ctx)}, nil
	}
	if s.conn == nil {
		// The previous answer left the connection unusable: connect again, and verify again.
		raw, tcp := dialTCP(s.ctx, s.o, s.ap)
		if raw == nil {
			return HTTPAnswer{Error: "reconnect: tcp " + tcp}, nil
		}
		tc, ans := handshake(s.ctx, s.o, raw, s.tg)
		if tc == nil {
			return HTTPAnswer{Error: "reconnect: tls " + ans.Outcome}, nil
		}
		s.conn, s.br = tc, bufio.NewReader(tc)
	}
	conn := s.conn
	conn.SetDeadline(time.Now().Add(s.o.Timeout))
	stop := context.AfterFunc(s.ctx, func() { conn.SetDeadline(aLongTimeAgo) })
	defer stop()

	u := &url.URL{Scheme: "https", Host: s.tg.authority, Path: path}
	req, err := http.NewRequestWithContext(s.ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		s.close()
		return HTTPAnswer{Error: err.Error()}, nil
	}
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept", "application/json")
	if err := req.Write(conn); err != nil {
		s.close()
		return HTTPAnswer{Error: s.failure(err)}, nil
	}
	resp, err := http.ReadResponse(s.br, req)
	if err != nil {
		s.close()
		return HTTPAnswer{Error: s.failure(err)}, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	ans := HTTPAnswer{Status: resp.StatusCode}
	switch {
	case err != nil:
		ans.Error = "reading body: " + s.failure(err)
		s.close()
	case len(body) > MaxBody:
		// The rest is unread, so the connection is spent; closing the body would drain it all.
		body = body[:MaxBody]
		s.close()
	case resp.Close:
		s.close()
	default:
		resp.Body.Close()
	}
	return ans, body
}

func (s *session) failure(err error) string {
	switch {
	case s.ctx.Err() != nil:
		return cause(s.ctx)
	case isTimeout(err):
		return HTTPTimeout
	default:
		return err.Error()
	}
}
