package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"golang.org/x/time/rate"

	"github.com/eksguard/eksguard/internal/escape"
)

// Server is the emulator. It implements http.Handler, so it can also be
// mounted in an httptest.Server instead of calling Start.
type Server struct {
	world *world
	clock Clock
	logw  io.Writer
	logMu sync.Mutex

	beh      atomic.Pointer[behaviourState]
	limiters atomic.Pointer[sync.Map] // "account/region" -> *rate.Limiter

	rngMu sync.Mutex
	rng   *rand.Rand

	calls atomic.Pointer[sync.Map] // "service:Operation" -> *atomic.Int64

	dropMu      sync.Mutex
	drops       map[string]int
	dropPending atomic.Int64

	sessions   sync.Map // access key id -> *session
	sessionSeq atomic.Uint64
	requestSeq atomic.Uint64

	srvMu sync.Mutex
	srv   *http.Server
	url   string
}

// behaviourState is a Behaviour with its lookups precomputed, swapped
// atomically so the hot path never locks to read it.
type behaviourState struct {
	Behaviour
	failSet  map[string]bool
	reserved []netip.Prefix
}

// Option configures New.
type Option func(*Server)

// WithClock replaces the wall clock that drives update lifecycles.
func WithClock(c Clock) Option { return func(s *Server) { s.clock = c } }

// WithLogger writes one line per request to w.
func WithLogger(w io.Writer) Option { return func(s *Server) { s.logw = w } }

// New builds a server for the fleet. It never fails: a fleet that did not
// come through ParseFleet should be checked with Fleet.Validate first; New
// skips duplicates rather than panicking.
func New(f *Fleet, opts ...Option) *Server {
	s := &Server{clock: systemClock{}, drops: map[string]int{}}
	s.calls.Store(&sync.Map{})
	for _, o := range opts {
		o(s)
	}
	if f == nil {
		f = &Fleet{}
	}
	s.world = buildWorld(f, s.clock.Now())
	s.SetBehaviour(f.Behaviour)
	return s
}

// Behaviour returns the knobs in force.
func (s *Server) Behaviour() Behaviour {
	b := s.beh.Load().Behaviour
	b.FailUpdates = append([]string(nil), b.FailUpdates...)
	b.ReservedCidrs = append([]string(nil), b.ReservedCidrs...)
	return b
}

// SetBehaviour changes the knobs at run time. Throttle buckets and the fault
// RNG restart from scratch so that a test gets the sequence its seed promises.
func (s *Server) SetBehaviour(b Behaviour) {
	st := &behaviourState{Behaviour: b, failSet: map[string]bool{}}
	for _, n := range b.FailUpdates {
		st.failSet[n] = true
	}
	reserved := b.ReservedCidrs
	if reserved == nil {
		reserved = DefaultReservedCidrs
	}
	for _, c := range reserved {
		if p, err := netip.ParsePrefix(c); err == nil {
			st.reserved = append(st.reserved, p.Masked())
		}
	}
	s.rngMu.Lock()
	s.rng = rand.New(rand.NewPCG(b.Seed, 0x6661756c7473))
	s.rngMu.Unlock()
	s.limiters.Store(&sync.Map{})
	s.beh.Store(st)
}

// Start listens on addr ("" means 127.0.0.1:0) and serves in the background.
func (s *Server) Start(addr string) (string, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("start emulator: %w", err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	s.srvMu.Lock()
	s.srv = srv
	s.url = "http://" + net.JoinHostPort(host, port)
	s.srvMu.Unlock()
	go func() { _ = srv.Serve(ln) }()
	return s.URL(), nil
}

// URL is the base URL given by Start, or "" before Start.
func (s *Server) URL() string {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	return s.url
}

// Close stops the listener and drops open connections.
func (s *Server) Close() error {
	s.srvMu.Lock()
	srv := s.srv
	s.srv = nil
	s.srvMu.Unlock()
	if srv == nil {
		return nil
	}
	if err := srv.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("close emulator: %w", err)
	}
	return nil
}

// Calls returns how many requests each "service:Operation" received, whether
// they succeeded, failed or were faulted.
func (s *Server) Calls() map[string]int {
	out := map[string]int{}
	s.calls.Load().Range(func(k, v any) bool {
		out[k.(string)] = int(v.(*atomic.Int64).Load())
		return true
	})
	return out
}

// ResetCalls forgets the counts kept for Calls.
func (s *Server) ResetCalls() { s.calls.Store(&sync.Map{}) }

func (s *Server) count(key string) {
	m := s.calls.Load()
	v, ok := m.Load(key)
	if !ok {
		v, _ = m.LoadOrStore(key, &atomic.Int64{})
	}
	v.(*atomic.Int64).Add(1)
}

// DropNextResponse makes the next call of op (for example
// "eks:UpdateClusterConfig") run to completion but answer with a TCP reset
// instead of its response: a lost response, as a client experiences it.
func (s *Server) DropNextResponse(op string) {
	s.dropMu.Lock()
	s.drops[op]++
	s.dropMu.Unlock()
	s.dropPending.Add(1)
}

func (s *Server) takeDrop(op string) bool {
	if s.dropPending.Load() == 0 {
		return false
	}
	s.dropMu.Lock()
	defer s.dropMu.Unlock()
	if s.drops[op] == 0 {
		return false
	}
	s.drops[op]--
	s.dropPending.Add(-1)
	return true
}

// SetClusterStatus forces a cluster's status (TD-8). An emulated update still
// shows UPDATING over ACTIVE while it runs.
func (s *Server) SetClusterStatus(account, region, name, status string) error {
	if !contains(clusterStatuses, status) {
		return fmt.Errorf("set cluster status: unknown status %q", status)
	}
	c, err := s.lookupCluster(account, region, name)
	if err != nil {
		return fmt.Errorf("set cluster status: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status = status
	c.view = nil
	return nil
}

// Cluster returns what DescribeCluster would answer for the cluster (the
// `cluster` object), without counting as a poll.
func (s *Server) Cluster(account, region, name string) (json.RawMessage, bool) {
	c, err := s.lookupCluster(account, region, name)
	if err != nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settle(s.clock.Now())
	view, err := c.render(c.shownStatus(false))
	if err != nil {
		return nil, false
	}
	return append(json.RawMessage(nil), view...), true
}

func (s *Server) lookupCluster(account, region, name string) (*cluster, error) {
	a := s.world.accounts[account]
	if a == nil {
		return nil, fmt.Errorf("account %q not in fleet", account)
	}
	r := a.regions[region]
	if r == nil {
		return nil, fmt.Errorf("region %q not in account %s", region, account)
	}
	c := r.clusters[name]
	if c == nil {
		return nil, fmt.Errorf("cluster %q not in %s/%s", name, account, region)
	}
	return c, nil
}

// call is one classified request.
type call struct {
	service string // eks, sts, ec2, organizations, iam, ecr, elasticloadbalancing (v2) or elb (classic)
	op      string
	region  string
	akid    string
	form    url.Values // awsQuery / ec2query parameters
	body    []byte
	reqID   string
}

func (c *call) key() string { return c.service + ":" + c.op }

const maxBody = 4 << 20

// ServeHTTP routes by the SigV4 credential scope, falling back to the shape
// of the request when it is unsigned.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	c, err := s.classify(r)
	if err != nil {
		http.Error(w, "eksguard emulator: "+err.Error(), http.StatusBadRequest)
		return
	}
	s.count(c.key())
	b := s.beh.Load()
	if b.Latency > 0 && !sleepCtx(r.Context(), b.Latency) {
		return
	}
	rw := &recorder{ResponseWriter: w}
	defer func() { s.logRequest(c, rw.status, time.Since(start)) }()

	if c.service == "eks" {
		if s.throttled(rw, c, b) {
			return
		}
		switch s.fault(b) {
		case faultReset:
			rw.status = -1
			resetConn(w)
			return
		case faultServer:
			s.eksError(rw, c, http.StatusInternalServerError, "ServerException", "An internal error occurred. Please try again.", "")
			return
		case faultUnavailable:
			s.eksError(rw, c, http.StatusServiceUnavailable, "ServiceUnavailableException", "Service Unavailable. Please try again later.", "")
			return
		}
	}

	if s.takeDrop(c.key()) {
		// Perform the call, throw the answer away, then cut the connection.
		s.dispatch(&recorder{ResponseWriter: discardWriter{h: http.Header{}}}, r, c)
		rw.status = -1
		resetConn(w)
		return
	}
	s.dispatch(rw, r, c)
}

func (s *Server) dispatch(w *recorder, r *http.Request, c *call) {
	switch c.service {
	case "eks":
		s.serveEKS(w, r, c)
	case "sts":
		s.serveSTS(w, c)
	case "ec2":
		s.serveEC2(w, c)
	case "organizations":
		s.serveOrganizations(w, c)
	case "iam":
		s.serveIAM(w, c)
	case "ecr":
		s.serveECR(w, c)
	case "elasticloadbalancing", "elb":
		s.serveELB(w, c)
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, "eksguard emulator: service %q is not emulated\n", c.service)
	}
}

// classify works out service, operation, region and access key.
func (s *Server) classify(r *http.Request) (*call, error) {
	c := &call{reqID: s.newRequestID()}
	c.akid, c.region, c.service = parseScope(r.Header.Get("Authorization"))
	if c.akid == "" {
		// Presigned URLs carry the scope in the query string.
		if cred := r.URL.Query().Get("X-Amz-Credential"); cred != "" {
			c.akid, c.region, c.service = splitScope(cred)
		}
	}
	if r.Body != nil && r.Method != http.MethodGet {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			return nil, fmt.Errorf("read body: %w", err)
		}
		c.body = body
	}
	target := r.Header.Get("X-Amz-Target")
	isForm := strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || (target == "" && !strings.HasPrefix(r.URL.Path, "/clusters"))
	if isForm {
		form, err := url.ParseQuery(string(c.body))
		if err != nil {
			form = url.Values{}
		}
		for k, v := range r.URL.Query() {
			form[k] = append(form[k], v...)
		}
		c.form = form
	}
	if c.service == "" {
		switch {
		case strings.HasPrefix(r.URL.Path, "/clusters"):
			c.service = "eks"
		case strings.HasPrefix(target, "AWSOrganizationsV20161128."):
			c.service = "organizations"
		case strings.HasPrefix(target, ecrTargetPrefix):
			c.service = "ecr"
		case c.form.Get("Action") == "GetCallerIdentity" || c.form.Get("Action") == "AssumeRole":
			c.service = "sts"
		case c.form.Get("Version") == iamVersion:
			c.service = "iam"
		case c.form.Get("Version") == elbV2Version || c.form.Get("Version") == elbClassicVersion:
			c.service = "elasticloadbalancing"
		case c.form.Get("Action") != "":
			c.service = "ec2"
		default:
			c.service = "unknown"
		}
	}
	// The v2 and classic load balancing APIs share the signing name
	// "elasticloadbalancing"; only the API version tells them apart.
	if c.service == "elasticloadbalancing" && c.form.Get("Version") == elbClassicVersion {
		c.service = "elb"
	}
	if c.region == "" {
		c.region = "us-east-1"
	}
	switch c.service {
	case "eks":
		c.op = eksOperation(r.Method, r.URL.EscapedPath())
	case "organizations":
		_, c.op, _ = strings.Cut(target, ".")
	case "ecr":
		c.op = strings.TrimPrefix(target, ecrTargetPrefix)
	case "sts", "ec2", "iam", "elasticloadbalancing", "elb":
		c.op = c.form.Get("Action")
	}
	if c.op == "" {
		c.op = "Unknown"
	}
	return c, nil
}

// parseScope reads "AWS4-HMAC-SHA256 Credential=AKID/DATE/REGION/SERVICE/aws4_request, ...".
// Signatures are not checked: the emulator trusts whoever calls it.
func parseScope(auth string) (akid, region, service string) {
	_, rest, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return "", "", ""
	}
	cred, _, _ := strings.Cut(rest, ",")
	return splitScope(strings.TrimSpace(cred))
}

func splitScope(cred string) (akid, region, service string) {
	parts := strings.Split(cred, "/")
	if len(parts) < 5 {
		return "", "", ""
	}
	return parts[0], parts[2], parts[3]
}

func (s *Server) newRequestID() string {
	n := s.requestSeq.Add(1)
	return fmt.Sprintf("e75e0000-%04x-4000-8000-%012x", (n>>48)&0xffff, n&0xffffffffffff)
}

// throttled applies the account+region token bucket shared by all EKS
// operations (TD-27).
func (s *Server) throttled(w *recorder, c *call, b *behaviourState) bool {
	t := b.Throttle
	if t.Rate <= 0 {
		return false
	}
	acct := s.callerAccount(c.akid)
	key := acct.id + "/" + c.region
	m := s.limiters.Load()
	l, ok := m.Load(key)
	if !ok {
		// The bucket refills on the server's Clock, so with a FakeClock it
		// only refills when the test advances time.
		l, _ = m.LoadOrStore(key, rate.NewLimiter(rate.Limit(t.Rate), max(t.Burst, 1)))
	}
	if l.(*rate.Limiter).AllowN(s.clock.Now(), 1) {
		return false
	}
	code, msg := "ThrottlingException", "Rate exceeded"
	if t.Code == "TooManyRequestsException" && isEKSRead(c.op) {
		code, msg = "TooManyRequestsException", "Too Many Requests"
	}
	if t.RetryAfter > 0 {
		w.Header().Set("x-amz-retry-after", fmt.Sprint(t.RetryAfter.Milliseconds()))
	}
	s.eksError(w, c, http.StatusTooManyRequests, code, msg, "")
	return true
}

type fault int

const (
	faultNone fault = iota
	faultReset
	faultServer
	faultUnavailable
)

func (s *Server) fault(b *behaviourState) fault {
	if b.ServerErrorRate <= 0 && b.ServiceUnavailableRate <= 0 && b.ConnectionResetRate <= 0 {
		return faultNone
	}
	s.rngMu.Lock()
	x := s.rng.Float64()
	s.rngMu.Unlock()
	switch {
	case x < b.ConnectionResetRate:
		return faultReset
	case x < b.ConnectionResetRate+b.ServerErrorRate:
		return faultServer
	case x < b.ConnectionResetRate+b.ServerErrorRate+b.ServiceUnavailableRate:
		return faultUnavailable
	}
	return faultNone
}

// resetConn closes the connection with SO_LINGER 0, which sends a TCP RST:
// the client sees "connection reset by peer" and no response at all.
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // the server closes the connection
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (s *Server) logRequest(c *call, status int, d time.Duration) {
	if s.logw == nil {
		return
	}
	acct := s.callerAccount(c.akid)
	st := fmt.Sprint(status)
	if status < 0 {
		st = "RST"
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	// The region comes from the client's credential scope: escaped, it cannot drive the terminal.
	fmt.Fprintf(s.logw, "%s %s %s %s %s %s\n", time.Now().UTC().Format("15:04:05.000"), escape.Text(c.key()), acct.id, escape.Text(c.region), st, d.Round(time.Microsecond))
}

// recorder remembers the status for the request log and keeps Hijack
// reachable for connection resets.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(p)
}

type discardWriter struct{ h http.Header }

func (d discardWriter) Header() http.Header         { return d.h }
func (d discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d discardWriter) WriteHeader(int)             {}

func uuidFrom(parts ...string) string {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte(strings.Join(parts, "/"))).String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
