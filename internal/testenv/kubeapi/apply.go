package kubeapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	authnv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// Apply creates every object of a multi-document YAML stream as the admin, as `kubectl create -f`
// does; an object that exists already (RBAC's bootstrap roles, which a seed may repeat) is replaced.
// Namespaced objects without a namespace go to "default".
func (s *Server) Apply(t testing.TB, manifests string) {
	t.Helper()
	if err := Apply(context.Background(), s.Config(), manifests); err != nil {
		t.Fatal(err)
	}
}

// Apply creates or replaces the objects of a YAML stream through cfg.
func Apply(ctx context.Context, cfg *rest.Config, manifests string) error {
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return err
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return err
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader([]byte(manifests)), 4096)
	for n := 1; ; n++ {
		var obj unstructured.Unstructured
		if err := dec.Decode(&obj.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("document %d: %w", n, err)
		}
		if len(obj.Object) == 0 {
			continue
		}
		gvk := obj.GroupVersionKind()
		m, err := mapper.RESTMapping(schema.GroupKind{Group: gvk.Group, Kind: gvk.Kind}, gvk.Version)
		if err != nil {
			return fmt.Errorf("document %d (%s): %w", n, gvk.Kind, err)
		}
		var ri dynamic.ResourceInterface = dyn.Resource(m.Resource)
		if m.Scope.Name() == meta.RESTScopeNameNamespace {
			if obj.GetNamespace() == "" {
				obj.SetNamespace("default")
			}
			ri = dyn.Resource(m.Resource).Namespace(obj.GetNamespace())
		}
		_, err = ri.Create(ctx, &obj, createOpts)
		if apierrors.IsAlreadyExists(err) {
			cur, gerr := ri.Get(ctx, obj.GetName(), getOpts)
			if gerr != nil {
				return fmt.Errorf("document %d (%s %s): %w", n, gvk.Kind, obj.GetName(), gerr)
			}
			obj.SetResourceVersion(cur.GetResourceVersion())
			_, err = ri.Update(ctx, &obj, updateOpts)
		}
		if err != nil {
			return fmt.Errorf("document %d (%s %s): %w", n, gvk.Kind, obj.GetName(), err)
		}
	}
}

var (
	createOpts = metav1.CreateOptions{}
	getOpts    = metav1.GetOptions{}
	updateOpts = metav1.UpdateOptions{}
)

// TokenWebhook serves the API server's token webhook (Options.TokenWebhookURL) on 127.0.0.1 for the
// test: every TokenReview's token goes to authenticate, whose user is the answer, or whose error
// leaves the token unauthenticated. It returns the webhook's URL.
func TokenWebhook(t testing.TB, authenticate func(ctx context.Context, token string) (authnv1.UserInfo, error)) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var review authnv1.TokenReview
		if err := json.NewDecoder(r.Body).Decode(&review); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		user, err := authenticate(r.Context(), review.Spec.Token)
		review.Status = authnv1.TokenReviewStatus{Authenticated: err == nil}
		if err == nil {
			review.Status.User = user
		} else {
			review.Status.Error = err.Error()
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(review)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
