package emulator

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"testing"
)

// servedDigest hashes what a fleet serves through DescribeCluster and the EC2
// describe calls, in every account and region, leaving out the CA (a new key
// pair per process).
func servedDigest(t testing.TB, f *Fleet) string {
	t.Helper()
	s := New(f)
	h := sha256.New()
	for _, a := range s.world.order {
		for _, r := range a.regionOrder {
			for _, c := range r.clusterOrder {
				view, ok := s.Cluster(a.id, r.name, c.name)
				if !ok {
					t.Fatalf("cluster %s does not render", c.arn)
				}
				var m map[string]any
				if err := json.Unmarshal(view, &m); err != nil {
					t.Fatal(err)
				}
				delete(m, "certificateAuthority")
				b, _ := json.Marshal(m)
				h.Write(b)
			}
			for _, op := range []func(*httptest.ResponseRecorder, *call){
				func(w *httptest.ResponseRecorder, c *call) { s.describeVpcs(w, c, r) },
				func(w *httptest.ResponseRecorder, c *call) { s.describeSecurityGroups(w, c, r) },
				func(w *httptest.ResponseRecorder, c *call) { s.describeDhcpOptions(w, c, r) },
			} {
				w := httptest.NewRecorder()
				op(w, &call{form: url.Values{}, reqID: "golden"})
				h.Write(w.Body.Bytes())
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
