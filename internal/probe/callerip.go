package probe

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// DefaultIPEchoURL is the service fix's --ip-echo-url defaults to (remediate.DefaultIPEchoURL). It
// is repeated rather than imported so that this package stays free of the AWS SDK.
const DefaultIPEchoURL = "https://checkip.amazonaws.com"

// CallerIP asks url, a service that answers a GET with the caller's address, where this process
// appears from on the internet: the address an endpoint allowlist has to admit. fix's --caller-ip
// auto and scan --probe both use it: a nil client gets a 5 s timeout,
// the whole exchange at most 10 s, only 200 counts, and at most 256 bytes of body are read and
// trimmed. An empty url means DefaultIPEchoURL.
func CallerIP(ctx context.Context, client *http.Client, url string) (netip.Addr, error) {
	if url == "" {
		url = DefaultIPEchoURL
	}
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Second}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("caller ip from %s: %w", url, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("caller ip from %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return netip.Addr{}, fmt.Errorf("caller ip from %s: HTTP %d", url, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("caller ip from %s: %w", url, err)
	}
	text := strings.TrimSpace(string(body))
	a, err := netip.ParseAddr(text)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("caller ip from %s: %q is not an IP address", url, text)
	}
	return a.Unmap(), nil
}
