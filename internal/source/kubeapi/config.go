package kubeapi

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// ForEKS is the client configuration of an EKS cluster's API: its endpoint, the certificate
// authority DescribeCluster gives (certificateAuthority.data, a base64 PEM bundle) and an EKS
// token. The server's certificate is verified against that authority only.
func ForEKS(endpoint, caData, token string) (*rest.Config, error) {
	if endpoint == "" {
		return nil, errors.New("DescribeCluster gave no endpoint")
	}
	if caData == "" {
		return nil, errors.New("DescribeCluster gave no certificateAuthority.data to verify the endpoint with")
	}
	ca, err := base64.StdEncoding.DecodeString(caData)
	if err != nil {
		return nil, fmt.Errorf("certificateAuthority.data is not base64: %w", err)
	}
	return &rest.Config{Host: endpoint, BearerToken: token, TLSClientConfig: rest.TLSClientConfig{CAData: ca}}, nil
}

// Kubeconfig is a context chosen in a kubeconfig file.
type Kubeconfig struct {
	// Context is the context's name; Cluster the name of its cluster entry (for EKS, as
	// `aws eks update-kubeconfig` writes it, the cluster's ARN).
	Context string
	Cluster string
	Config  *rest.Config
}

// FromKubeconfig loads path (as kubectl does: every field, exec credential plugins included) and
// picks the context, or the file's current context when context is "".
func FromKubeconfig(path, context string) (*Kubeconfig, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("--kubeconfig %s: %w", path, errors.Unwrap(err))
	}
	raw, err := clientcmd.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("--kubeconfig %s: %w", path, err)
	}
	name := context
	if name == "" {
		name = raw.CurrentContext
	}
	if name == "" {
		return nil, fmt.Errorf("--kubeconfig %s: no current-context; choose one with --context (contexts: %s)", path, contextNames(raw))
	}
	ctx, ok := raw.Contexts[name]
	if !ok {
		return nil, fmt.Errorf("--context %q: not in %s (contexts: %s)", name, path, contextNames(raw))
	}
	if _, ok := raw.Clusters[ctx.Cluster]; !ok {
		return nil, fmt.Errorf("--kubeconfig %s: context %q names cluster %q, which the file does not define", path, name, ctx.Cluster)
	}
	cc := clientcmd.NewNonInteractiveClientConfig(*raw, name, &clientcmd.ConfigOverrides{}, &clientcmd.ClientConfigLoadingRules{ExplicitPath: path})
	cfg, err := cc.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("--kubeconfig %s, context %q: %w", path, name, err)
	}
	return &Kubeconfig{Context: name, Cluster: ctx.Cluster, Config: cfg}, nil
}

func contextNames(c *clientcmdapi.Config) string {
	names := make([]string, 0, len(c.Contexts))
	for n := range c.Contexts {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(slices.Compact(names), ", ")
}
