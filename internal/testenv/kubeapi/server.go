package kubeapi

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/eksguard/eksguard/internal/testenv"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// AdminUser and AdminGroup are who the static admin token authenticates as.
const (
	AdminUser  = "eksguard-test-admin"
	AdminGroup = "system:masters"
)

// readyTimeout bounds the wait for /readyz and RBAC's bootstrap roles.
const readyTimeout = 60 * time.Second

// Options change how Start starts the API server.
type Options struct {
	// TokenWebhookURL, when set, is sent every bearer token that is not the admin's, as an
	// authentication.k8s.io/v1 TokenReview (POST, JSON); the answer is cached for 1 s. Plain
	// http:// is accepted (an httptest.NewServer will do); for https:// the API server must trust
	// the webhook's certificate: give its CA in TokenWebhookCAPEM (for an httptest.NewTLSServer,
	// PEM of srv.Certificate()).
	TokenWebhookURL   string
	TokenWebhookCAPEM []byte
	// ExtraArgs are appended to kube-apiserver's arguments; a flag given again wins (the last one
	// given counts, except for list flags, which add up).
	ExtraArgs []string
}

// Server is a running kube-apiserver and its etcd.
type Server struct {
	// URL is https://127.0.0.1:PORT; CAPEM the CA that signed its self-signed serving
	// certificate (from --cert-dir).
	URL   string
	CAPEM []byte
	// AdminToken authenticates as AdminUser in AdminGroup (system:masters).
	AdminToken string
	// EtcdURL is etcd's client URL; Dir the temporary directory that holds data, keys and logs.
	EtcdURL string
	Dir     string
	// APIServerLog and EtcdLog are the files that hold each process's output.
	APIServerLog, EtcdLog string

	stopOnce sync.Once
	stopFn   func()
}

// Start starts etcd and kube-apiserver on free loopback ports and waits until the API server is
// ready and RBAC's bootstrap roles and bindings exist (at most a minute). They are stopped, and
// their data removed, when the test ends. The binaries come from Binaries: a test is skipped
// (or, with CI=true, failed) when they cannot be built.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	apiserverBin, etcdBin := Binaries(t)
	dir := t.TempDir()
	s := &Server{
		Dir:          dir,
		APIServerLog: filepath.Join(dir, "kube-apiserver.log"),
		EtcdLog:      filepath.Join(dir, "etcd.log"),
		AdminToken:   randomHex(t, 16),
	}
	ctx, cancel := context.WithCancel(context.Background())
	var procs []*proc // started in order, stopped in reverse
	s.stopFn = func() {
		for i := len(procs) - 1; i >= 0; i-- {
			procs[i].stop()
		}
		cancel()
	}
	t.Cleanup(s.Stop)

	// etcd.
	clientPort, peerPort := testenv.FreePort(t), testenv.FreePort(t)
	s.EtcdURL = fmt.Sprintf("http://127.0.0.1:%d", clientPort)
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", peerPort)
	etcd := startProc(t, ctx, "etcd", etcdBin, s.EtcdLog,
		"--name", "eksguard-test",
		"--data-dir", filepath.Join(dir, "etcd"),
		"--listen-client-urls", s.EtcdURL,
		"--advertise-client-urls", s.EtcdURL,
		"--listen-peer-urls", peerURL,
		"--initial-advertise-peer-urls", peerURL,
		"--initial-cluster", "eksguard-test="+peerURL,
		"--unsafe-no-fsync", // test data: no need to wait for the disk
		"--log-level", "warn",
	)
	procs = append(procs, etcd)

	// The API server's files: tokens, service-account key, webhook configuration.
	tokens := filepath.Join(dir, "tokens.csv")
	writeFile(t, tokens, fmt.Sprintf("%s,%s,%s,%q\n", s.AdminToken, AdminUser, AdminUser, AdminGroup), 0o600)
	saKey := filepath.Join(dir, "sa.key")
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, saKey, string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})), 0o600)
	port := testenv.FreePort(t)
	s.URL = fmt.Sprintf("https://127.0.0.1:%d", port)
	certDir := filepath.Join(dir, "certs")
	args := []string{
		"--etcd-servers", s.EtcdURL,
		"--bind-address", "127.0.0.1",
		"--secure-port", fmt.Sprint(port),
		"--cert-dir", certDir,
		"--token-auth-file", tokens,
		"--authorization-mode", "RBAC",
		"--service-account-issuer", "https://kubernetes.default.svc",
		"--service-account-key-file", saKey,
		"--service-account-signing-key-file", saKey,
		"--service-cluster-ip-range", "10.96.0.0/16",
		"--allow-privileged=true",
		// No controller manager makes default service accounts; pods are admitted without them.
		"--disable-admission-plugins", "ServiceAccount",
	}
	if opts.TokenWebhookURL != "" {
		cfg := filepath.Join(dir, "token-webhook.kubeconfig")
		writeWebhookKubeconfig(t, cfg, opts.TokenWebhookURL, opts.TokenWebhookCAPEM)
		args = append(args,
			"--authentication-token-webhook-config-file", cfg,
			"--authentication-token-webhook-version", "v1",
			"--authentication-token-webhook-cache-ttl", "1s",
		)
	}
	args = append(args, opts.ExtraArgs...)

	if err := waitEtcd(ctx, s.EtcdURL, etcd, 20*time.Second); err != nil {
		t.Fatalf("etcd: %v\n%s", err, s.logTails())
	}
	started := time.Now()
	apiserver := startProc(t, ctx, "kube-apiserver", apiserverBin, s.APIServerLog, args...)
	procs = append(procs, apiserver)
	if err := s.waitReady(ctx, certDir, []*proc{etcd, apiserver}); err != nil {
		t.Fatalf("kube-apiserver on %s: %v\n%s", s.URL, err, s.logTails())
	}
	t.Logf("kube-apiserver ready on %s in %s", s.URL, time.Since(started).Round(10*time.Millisecond))
	return s
}

// Stop stops kube-apiserver, then etcd (SIGTERM, then SIGKILL after 5 s). It is called when the
// test ends; calling it earlier, or again, is harmless. The data stay until the test ends.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		if s.stopFn != nil {
			s.stopFn()
		}
	})
}

// Config is a client configuration for the admin.
func (s *Server) Config() *rest.Config {
	return &rest.Config{
		Host:            s.URL,
		BearerToken:     s.AdminToken,
		TLSClientConfig: rest.TLSClientConfig{CAData: s.CAPEM},
		QPS:             100,
		Burst:           200,
	}
}

// Kubeconfig writes a kubeconfig file whose only context, named context and current, reaches the
// server with token (AdminToken, or one the token webhook answers for), and returns its path. The
// cluster and user entries are named after the context too, as `aws eks update-kubeconfig` does.
func (s *Server) Kubeconfig(t testing.TB, context, token string) string {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters[context] = &clientcmdapi.Cluster{Server: s.URL, CertificateAuthorityData: s.CAPEM}
	cfg.AuthInfos[context] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts[context] = &clientcmdapi.Context{Cluster: context, AuthInfo: context}
	cfg.CurrentContext = context
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path
}

// waitReady waits for the serving certificate, then /readyz as the admin, then the objects that RBAC's
// bootstrap and the system namespaces controller create a moment after /readyz.
func (s *Server) waitReady(ctx context.Context, certDir string, procs []*proc) error {
	deadline := time.Now().Add(readyTimeout)
	var last error
	check := func(f func() error) error {
		for {
			for _, p := range procs {
				if err := p.exited(); err != nil {
					return err
				}
			}
			if last = f(); last == nil {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("not ready within %s: %v", readyTimeout, last)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	// The serving certificate apiserver.crt holds the certificate, then the CA that signed it.
	if err := check(func() error {
		ca, err := caFromChain(filepath.Join(certDir, "apiserver.crt"))
		s.CAPEM = ca
		return err
	}); err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(s.CAPEM)
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
	defer client.CloseIdleConnections()
	get := func(path string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+path, nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+s.AdminToken)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			body := make([]byte, 2048)
			n, _ := resp.Body.Read(body)
			return fmt.Errorf("GET %s: %s: %s", path, resp.Status, strings.TrimSpace(string(body[:n])))
		}
		return nil
	}
	for _, path := range []string{
		"/readyz",
		"/apis/rbac.authorization.k8s.io/v1/clusterroles/cluster-admin",
		"/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/system:node-proxier",
		"/apis/rbac.authorization.k8s.io/v1/namespaces/kube-public/rolebindings/system:controller:bootstrap-signer",
		"/api/v1/namespaces/default",
	} {
		if err := check(func() error { return get(path) }); err != nil {
			return err
		}
	}
	return nil
}

// caFromChain returns the PEM of the CA certificate in a serving certificate file.
func caFromChain(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			return nil, fmt.Errorf("%s holds no CA certificate (yet)", path)
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		if c.IsCA {
			return pem.EncodeToMemory(b), nil
		}
	}
}

func waitEtcd(ctx context.Context, url string, p *proc, timeout time.Duration) error {
	client := &http.Client{Timeout: 2 * time.Second}
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(timeout)
	var last error
	for {
		if err := p.exited(); err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/health", nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			var body [512]byte
			n, _ := resp.Body.Read(body[:])
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && strings.Contains(string(body[:n]), `"health":"true"`) {
				return nil
			}
			err = fmt.Errorf("GET /health: %s: %s", resp.Status, body[:n])
		}
		last = err
		if time.Now().After(deadline) {
			return fmt.Errorf("not healthy within %s: %v", timeout, last)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (s *Server) logTails() string {
	var b strings.Builder
	for _, f := range []struct{ name, path string }{{"kube-apiserver", s.APIServerLog}, {"etcd", s.EtcdLog}} {
		fmt.Fprintf(&b, "--- last 50 lines of %s's output (%s):\n%s", f.name, f.path, tail(f.path, 50))
	}
	return b.String()
}

func tail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(%v)\n", err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if len(lines) > n {
			lines = lines[1:]
		}
	}
	if len(lines) == 0 {
		return "(nothing)\n"
	}
	return strings.Join(lines, "\n") + "\n"
}

// proc is a started child process.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed when it has exited
	err  error         // its exit, once done
	log  *os.File
}

func startProc(t testing.TB, ctx context.Context, name, bin, logPath string, args ...string) *proc {
	t.Helper()
	log, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = childAttr()
	// A backstop to stop: the context is cancelled when the server stops.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second // then SIGKILL
	if err := cmd.Start(); err != nil {
		log.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{}), log: log}
	go func() {
		p.err = cmd.Wait()
		log.Close()
		close(p.done)
	}()
	return p
}

// exited reports an error when the process has already ended.
func (p *proc) exited() error {
	select {
	case <-p.done:
		if p.err == nil {
			p.err = errors.New("exit status 0")
		}
		return fmt.Errorf("%s exited early: %v", p.name, p.err)
	default:
		return nil
	}
}

// stop sends SIGTERM, waits at most 5 s, then kills.
func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

func writeWebhookKubeconfig(t testing.TB, path, url string, caPEM []byte) {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["token-webhook"] = &clientcmdapi.Cluster{Server: url, CertificateAuthorityData: caPEM}
	cfg.AuthInfos["kube-apiserver"] = &clientcmdapi.AuthInfo{}
	cfg.Contexts["token-webhook"] = &clientcmdapi.Context{Cluster: "token-webhook", AuthInfo: "kube-apiserver"}
	cfg.CurrentContext = "token-webhook"
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t testing.TB, path, text string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
