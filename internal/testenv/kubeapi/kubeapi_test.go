package kubeapi

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// tokenWebhook answers TokenReviews: token authenticates as user, anything else does not.
func tokenWebhook(t *testing.T, token, user string, calls *atomic.Int32) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		var review authnv1.TokenReview
		if err := json.NewDecoder(r.Body).Decode(&review); err != nil {
			t.Errorf("webhook: %v", err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		review.Status = authnv1.TokenReviewStatus{}
		if review.Spec.Token == token {
			review.Status.Authenticated = true
			review.Status.User = authnv1.UserInfo{Username: user, UID: user, Groups: []string{"system:authenticated"}}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(review)
	})
}

func whoAmI(t *testing.T, cfg *rest.Config) string {
	t.Helper()
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r, err := cs.AuthenticationV1().SelfSubjectReviews().Create(context.Background(), &authnv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("SelfSubjectReview: %v", err)
	}
	return r.Status.UserInfo.Username
}

func TestServer(t *testing.T) {
	var calls atomic.Int32
	webhook := httptest.NewServer(tokenWebhook(t, "alice-token", "alice", &calls))
	defer webhook.Close()
	s := Start(t, Options{TokenWebhookURL: webhook.URL}) // plain http:// is accepted
	ctx := context.Background()

	admin, err := kubernetes.NewForConfig(s.Config())
	if err != nil {
		t.Fatal(err)
	}
	nss, err := admin.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatalf("admin lists namespaces: %v", err)
	}
	names := map[string]bool{}
	for _, ns := range nss.Items {
		names[ns.Name] = true
	}
	for _, want := range []string{"default", "kube-system", "kube-public"} {
		if !names[want] {
			t.Errorf("namespaces %v lack %s", names, want)
		}
	}
	if got := whoAmI(t, s.Config()); got != AdminUser {
		t.Errorf("admin token authenticates as %q, want %q", got, AdminUser)
	}
	if v, err := admin.Discovery().ServerVersion(); err != nil || v.Major != "1" {
		t.Errorf("version: %+v, %v", v, err)
	} else {
		t.Logf("server version %s", v.GitVersion)
	}

	// An unknown token: the webhook says no, the API server 401.
	unknown := rest.CopyConfig(s.Config())
	unknown.BearerToken = "not-a-token"
	cs, err := kubernetes.NewForConfig(unknown)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{}); !apierrors.IsUnauthorized(err) {
		t.Errorf("unknown token: got %v, want 401 Unauthorized", err)
	}
	if calls.Load() == 0 {
		t.Error("the token webhook was never asked")
	}

	// alice, through a kubeconfig as the product reads one: authenticated by the webhook, forbidden
	// by RBAC.
	path := s.Kubeconfig(t, "alice@test", "alice-token")
	aliceCfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		t.Fatal(err)
	}
	if got := whoAmI(t, aliceCfg); got != "alice" {
		t.Errorf("webhook token authenticates as %q, want alice", got)
	}
	alice, err := kubernetes.NewForConfig(aliceCfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alice.CoreV1().Pods("default").List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("alice lists pods: got %v, want 403 Forbidden", err)
	}

	// Stop ends both processes; a second Stop (the cleanup's) is harmless.
	s.Stop()
	hc := &http.Client{Timeout: 2 * time.Second}
	if resp, err := hc.Get(s.EtcdURL + "/health"); err == nil {
		resp.Body.Close()
		t.Error("etcd still answers after Stop")
	}
}

// An https webhook needs its CA given.
func TestServerTLSWebhook(t *testing.T) {
	var calls atomic.Int32
	webhook := httptest.NewTLSServer(tokenWebhook(t, "bob-token", "bob", &calls))
	defer webhook.Close()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: webhook.Certificate().Raw})
	s := Start(t, Options{TokenWebhookURL: webhook.URL, TokenWebhookCAPEM: ca})
	cfg := rest.CopyConfig(s.Config())
	cfg.BearerToken = "bob-token"
	if got := whoAmI(t, cfg); got != "bob" {
		t.Errorf("TLS webhook token authenticates as %q, want bob", got)
	}
}
