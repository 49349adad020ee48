package awsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/eksguard/eksguard/internal/model"
)

// clusterBody is a DescribeCluster answer with the endpoint fields set and extra members spliced in.
func clusterBody(members string) string {
	if members != "" {
		members = "," + members
	}
	return `{"cluster":{"name":"prod","arn":"arn:aws:eks:us-east-1:111111111111:cluster/prod","status":"ACTIVE",` +
		`"resourcesVpcConfig":{"endpointPublicAccess":true,"endpointPrivateAccess":false,"publicAccessCidrs":["0.0.0.0/0"]}` +
		members + `}}`
}

// describeBody serves body as the DescribeCluster answer and reads it through the real SDK.
func describeBody(t *testing.T, body string) *model.Cluster {
	t.Helper()
	h := startHostile(t, func(_ *hostile, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", jsonType)
		_, _ = w.Write([]byte(body))
	})
	c := hostileClients(h.srv.URL)
	cl, err := DescribeCluster(context.Background(), c.EKS(nil, "111111111111", "us-east-1"), "111111111111", "us-east-1", "prod")
	if err != nil {
		t.Fatalf("describe: %v", err)
	}
	return cl
}

const testKey = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// want describes one field: its origin, its value when known, and a part of its detail.
type want[T any] struct {
	origin model.Origin
	value  T
	detail string
}

func checkList(t *testing.T, name string, got model.Strings, w want[[]string]) {
	t.Helper()
	if got.Origin != w.origin || (w.origin != model.OriginUnknown && strings.Join(got.Values, ",") != strings.Join(w.value, ",")) || !strings.Contains(got.Detail, w.detail) {
		t.Errorf("%s = %+v, want origin %s values %v detail containing %q", name, got, w.origin, w.value, w.detail)
	}
	if got.Values == nil {
		t.Errorf("%s values are nil; JSON would say null", name)
	}
}

func checkString(t *testing.T, name string, got model.String, w want[string]) {
	t.Helper()
	if got.Origin != w.origin || got.Value != w.value || !strings.Contains(got.Detail, w.detail) {
		t.Errorf("%s = %+v, want origin %s value %q detail containing %q", name, got, w.origin, w.value, w.detail)
	}
}

func TestLoggingFromBody(t *testing.T) {
	all := []string{"api", "audit", "authenticator", "controllerManager", "scheduler"}
	tests := []struct {
		name, logging string
		want          want[[]string]
	}{
		{"every type in one enabled entry", `"logging":{"clusterLogging":[{"types":["api","audit","authenticator","controllerManager","scheduler"],"enabled":true}]}`,
			want[[]string]{origin: model.OriginExplicit, value: all}},
		{"EKS's default: one disabled entry", `"logging":{"clusterLogging":[{"types":["api","audit","authenticator","controllerManager","scheduler"],"enabled":false}]}`,
			want[[]string]{origin: model.OriginExplicit, value: []string{}}},
		{"an enabled and a disabled entry", `"logging":{"clusterLogging":[{"types":["audit","api"],"enabled":true},{"types":["authenticator","controllerManager","scheduler"],"enabled":false}]}`,
			want[[]string]{origin: model.OriginExplicit, value: []string{"api", "audit"}}},
		{"the disabled entry first", `"logging":{"clusterLogging":[{"types":["authenticator","controllerManager","scheduler"],"enabled":false},{"types":["audit","api"],"enabled":true}]}`,
			want[[]string]{origin: model.OriginExplicit, value: []string{"api", "audit"}}},
		{"enabled types spread over entries", `"logging":{"clusterLogging":[{"types":["api","audit"],"enabled":true},{"types":["authenticator","controllerManager","scheduler"],"enabled":true}]}`,
			want[[]string]{origin: model.OriginExplicit, value: all}},
		{"a type listed twice counts once", `"logging":{"clusterLogging":[{"types":["audit","audit"],"enabled":true},{"types":["audit"],"enabled":true},{"types":["api"],"enabled":false},{"types":["api"],"enabled":false}]}`,
			want[[]string]{origin: model.OriginExplicit, value: []string{"audit"}}},
		{"types in no entry are not enabled", `"logging":{"clusterLogging":[{"types":["audit"],"enabled":true}]}`,
			want[[]string]{origin: model.OriginExplicit, value: []string{"audit"}}},
		{"an empty list", `"logging":{"clusterLogging":[]}`,
			want[[]string]{origin: model.OriginExplicit, value: []string{}}},
		{"an entry without types", `"logging":{"clusterLogging":[{"enabled":true},{"types":["api"],"enabled":true}]}`,
			want[[]string]{origin: model.OriginExplicit, value: []string{"api"}}},
		{"a type EKS does not have", `"logging":{"clusterLogging":[{"types":["api","kubelet"],"enabled":true}]}`,
			want[[]string]{origin: model.OriginUnknown, detail: `logging.clusterLogging[0] lists the log type "kubelet", which EKS does not have`}},
		{"a type spelt differently", `"logging":{"clusterLogging":[{"types":["api"],"enabled":true},{"types":["Audit"],"enabled":false}]}`,
			want[[]string]{origin: model.OriginUnknown, detail: `logging.clusterLogging[1] lists the log type "Audit"`}},
		{"a null entry", `"logging":{"clusterLogging":[{"types":["api","audit","authenticator","controllerManager","scheduler"],"enabled":true},null]}`,
			want[[]string]{origin: model.OriginUnknown, detail: "logging.clusterLogging[1] is null"}},
		{"an entry without a flag", `"logging":{"clusterLogging":[{"types":["api","audit","authenticator","controllerManager","scheduler"]}]}`,
			want[[]string]{origin: model.OriginUnknown, detail: "logging.clusterLogging[0] has no enabled flag"}},
		{"a null flag", `"logging":{"clusterLogging":[{"types":["api"],"enabled":null}]}`,
			want[[]string]{origin: model.OriginUnknown, detail: "logging.clusterLogging[0] has no enabled flag"}},
		{"a type both enabled and disabled", `"logging":{"clusterLogging":[{"types":["api","audit"],"enabled":true},{"types":["audit","scheduler"],"enabled":false}]}`,
			want[[]string]{origin: model.OriginUnknown, detail: "lists the log type audit as both enabled and disabled"}},
		{"logging missing", ``,
			want[[]string]{origin: model.OriginUnknown, detail: "logging is missing from the DescribeCluster response"}},
		{"logging null", `"logging":null`,
			want[[]string]{origin: model.OriginUnknown, detail: "logging is missing from the DescribeCluster response"}},
		{"clusterLogging missing", `"logging":{}`,
			want[[]string]{origin: model.OriginUnknown, detail: "logging.clusterLogging is missing from the DescribeCluster response"}},
		{"a member named logging deeper down is not taken", `"health":{"issues":[],"logging":{"clusterLogging":[{"types":["api"],"enabled":true}]}}`,
			want[[]string]{origin: model.OriginUnknown, detail: "logging is missing"}},
		{"a tag named logging is not taken", `"tags":{"logging":"{\"clusterLogging\":[]}","\"logging\"":"x"}`,
			want[[]string]{origin: model.OriginUnknown, detail: "logging is missing"}},
		{"the last of two members wins, as in the SDK", `"logging":{"clusterLogging":[{"types":["api"],"enabled":true}]},"logging":{"clusterLogging":[{"types":["audit"],"enabled":true}]}`,
			want[[]string]{origin: model.OriginExplicit, value: []string{"audit"}}},
		{"an escaped member name is the same member", `"\u006cogging":{"clusterLogging":[{"types":["scheduler"],"enabled":true}]}`,
			want[[]string]{origin: model.OriginExplicit, value: []string{"scheduler"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := describeBody(t, clusterBody(tt.logging))
			checkList(t, "enabledLogTypes", c.EnabledLogTypes, tt.want)
			// The endpoint fields are read as before.
			if !c.EndpointPublicAccess.Known() || !c.EndpointPrivateAccess.Known() {
				t.Errorf("endpoint fields lost: %+v %+v", c.EndpointPublicAccess, c.EndpointPrivateAccess)
			}
		})
	}
}

func TestAccessConfigFromBody(t *testing.T) {
	tests := []struct {
		name, access string
		want         want[string]
	}{
		{"API", `"accessConfig":{"bootstrapClusterCreatorAdminPermissions":true,"authenticationMode":"API"}`, want[string]{origin: model.OriginExplicit, value: "API"}},
		{"API_AND_CONFIG_MAP", `"accessConfig":{"authenticationMode":"API_AND_CONFIG_MAP"}`, want[string]{origin: model.OriginExplicit, value: "API_AND_CONFIG_MAP"}},
		{"CONFIG_MAP", `"accessConfig":{"authenticationMode":"CONFIG_MAP","bootstrapClusterCreatorAdminPermissions":false}`, want[string]{origin: model.OriginExplicit, value: "CONFIG_MAP"}},
		// Kept as it is: the check says UNKNOWN, naming the value.
		{"a mode EKS does not have", `"accessConfig":{"authenticationMode":"IAM"}`, want[string]{origin: model.OriginExplicit, value: "IAM"}},
		{"an empty mode", `"accessConfig":{"authenticationMode":""}`, want[string]{origin: model.OriginExplicit, value: ""}},
		// moto and responses from before access entries: never assumed to be CONFIG_MAP.
		{"accessConfig missing", ``, want[string]{origin: model.OriginUnknown, detail: "accessConfig is missing from the DescribeCluster response"}},
		{"accessConfig null", `"accessConfig":null`, want[string]{origin: model.OriginUnknown, detail: "accessConfig is missing from the DescribeCluster response"}},
		{"the mode missing", `"accessConfig":{"bootstrapClusterCreatorAdminPermissions":true}`, want[string]{origin: model.OriginUnknown, detail: "accessConfig.authenticationMode is missing from the DescribeCluster response"}},
		{"the mode null", `"accessConfig":{"authenticationMode":null}`, want[string]{origin: model.OriginUnknown, detail: "accessConfig.authenticationMode is missing"}},
		{"a tag cannot fake it", `"tags":{"accessConfig":"{\"authenticationMode\":\"API\"}"}`, want[string]{origin: model.OriginUnknown, detail: "accessConfig is missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := describeBody(t, clusterBody(tt.access))
			checkString(t, "authenticationMode", c.AuthenticationMode, tt.want)
		})
	}
}

func TestEncryptionConfigFromBody(t *testing.T) {
	tests := []struct {
		name, enc string
		want      want[string]
	}{
		{"a key for secrets", `"encryptionConfig":[{"resources":["secrets"],"provider":{"keyArn":"` + testKey + `"}}]`,
			want[string]{origin: model.OriginExplicit, value: testKey}},
		{"a key alias as EKS accepts it", `"encryptionConfig":[{"resources":["secrets"],"provider":{"keyArn":"alias/eks"}}]`,
			want[string]{origin: model.OriginExplicit, value: "alias/eks"}},
		{"the same key twice", `"encryptionConfig":[{"resources":["secrets"],"provider":{"keyArn":"` + testKey + `"}},{"resources":["secrets"],"provider":{"keyArn":"` + testKey + `"}}]`,
			want[string]{origin: model.OriginExplicit, value: testKey}},
		{"absent: EKS leaves it out when there is none", ``,
			want[string]{origin: model.OriginDefault, value: "", detail: "no encryptionConfig in the DescribeCluster response"}},
		{"null", `"encryptionConfig":null`,
			want[string]{origin: model.OriginDefault, value: "", detail: "no encryptionConfig in the DescribeCluster response"}},
		{"an empty list", `"encryptionConfig":[]`,
			want[string]{origin: model.OriginExplicit, value: "", detail: "encryptionConfig in the DescribeCluster response lists no entries"}},
		{"an entry for other resources", `"encryptionConfig":[{"resources":["configmaps"],"provider":{"keyArn":"` + testKey + `"}}]`,
			want[string]{origin: model.OriginExplicit, value: "", detail: "no encryptionConfig entry in the DescribeCluster response covers secrets"}},
		{"secrets without a key", `"encryptionConfig":[{"resources":["secrets"]}]`,
			want[string]{origin: model.OriginUnknown, detail: "encryptionConfig[0] covers secrets but has no provider.keyArn"}},
		{"secrets with an empty provider", `"encryptionConfig":[{"resources":["secrets"],"provider":{}}]`,
			want[string]{origin: model.OriginUnknown, detail: "encryptionConfig[0] covers secrets but has no provider.keyArn"}},
		{"secrets with an empty key", `"encryptionConfig":[{"resources":["secrets"],"provider":{"keyArn":""}}]`,
			want[string]{origin: model.OriginUnknown, detail: "encryptionConfig[0] covers secrets but has no provider.keyArn"}},
		{"secrets with a null key", `"encryptionConfig":[{"resources":["secrets"],"provider":{"keyArn":null}}]`,
			want[string]{origin: model.OriginUnknown, detail: "covers secrets but has no provider.keyArn"}},
		{"a key without resources", `"encryptionConfig":[{"provider":{"keyArn":"` + testKey + `"}}]`,
			want[string]{origin: model.OriginUnknown, detail: "encryptionConfig[0] has a KMS key but lists no resources"}},
		{"a null entry", `"encryptionConfig":[null]`,
			want[string]{origin: model.OriginUnknown, detail: "encryptionConfig[0] is null"}},
		{"two keys for secrets", `"encryptionConfig":[{"resources":["secrets"],"provider":{"keyArn":"` + testKey + `"}},{"resources":["secrets"],"provider":{"keyArn":"alias/other"}}]`,
			want[string]{origin: model.OriginUnknown, detail: "encryptionConfig lists two keys for secrets"}},
		{"a tag cannot fake it", `"tags":{"encryptionConfig":"[{\"resources\":[\"secrets\"],\"provider\":{\"keyArn\":\"x\"}}]"}`,
			want[string]{origin: model.OriginDefault, value: "", detail: "no encryptionConfig"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := describeBody(t, clusterBody(tt.enc))
			checkString(t, "secretsKeyArn", c.SecretsKeyARN, tt.want)
		})
	}
}

// Without the raw body (a client that kept none) the SDK's structs are read, and what they cannot
// tell apart from absent stays unknown.
func TestControlsFromSDKStructs(t *testing.T) {
	tests := []struct {
		name    string
		cluster ekstypes.Cluster
		logs    want[[]string]
		mode    want[string]
		key     want[string]
	}{
		{"nothing", ekstypes.Cluster{},
			want[[]string]{origin: model.OriginUnknown, detail: "logging is missing"},
			want[string]{origin: model.OriginUnknown, detail: "accessConfig is missing"},
			want[string]{origin: model.OriginDefault, detail: "no encryptionConfig"}},
		{"everything", ekstypes.Cluster{
			Logging: &ekstypes.Logging{ClusterLogging: []ekstypes.LogSetup{
				{Types: []ekstypes.LogType{"api", "audit"}, Enabled: aws.Bool(true)},
				{Types: []ekstypes.LogType{"authenticator", "controllerManager", "scheduler"}, Enabled: aws.Bool(false)}}},
			AccessConfig:     &ekstypes.AccessConfigResponse{AuthenticationMode: ekstypes.AuthenticationModeApi},
			EncryptionConfig: []ekstypes.EncryptionConfig{{Resources: []string{"secrets"}, Provider: &ekstypes.Provider{KeyArn: aws.String(testKey)}}}},
			want[[]string]{origin: model.OriginExplicit, value: []string{"api", "audit"}},
			want[string]{origin: model.OriginExplicit, value: "API"},
			want[string]{origin: model.OriginExplicit, value: testKey}},
		{"what the structs blur", ekstypes.Cluster{
			Logging:          &ekstypes.Logging{ClusterLogging: []ekstypes.LogSetup{{Types: []ekstypes.LogType{"api"}}}},
			AccessConfig:     &ekstypes.AccessConfigResponse{},
			EncryptionConfig: []ekstypes.EncryptionConfig{{Resources: []string{"secrets"}, Provider: &ekstypes.Provider{}}}},
			want[[]string]{origin: model.OriginUnknown, detail: "has no enabled flag"},
			want[string]{origin: model.OriginUnknown, detail: "accessConfig.authenticationMode is missing"},
			want[string]{origin: model.OriginUnknown, detail: "covers secrets but has no provider.keyArn"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cluster.Name = aws.String("prod")
			c := convert(&tt.cluster, "111111111111", "us-east-1", nil)
			checkList(t, "enabledLogTypes", c.EnabledLogTypes, tt.logs)
			checkString(t, "authenticationMode", c.AuthenticationMode, tt.mode)
			checkString(t, "secretsKeyArn", c.SecretsKeyARN, tt.key)
		})
	}
}

func TestObjectMembers(t *testing.T) {
	tests := []struct {
		name, obj string
		want      []string // per name; "" for absent; "ERR" when the object is refused
	}{
		{"plain", `{"a":1,"b":"x","c":[1,{"a":2}]}`, []string{"1", `"x"`, `[1,{"a":2}]`}},
		{"spaces", " {\n \"a\" :\t{ \"b\": \"}\\\"{\" } , \"c\" : null }\n", []string{`{ "b": "}\"{" }`, "", ""}},
		{"nested names are not members", `{"x":{"a":1,"b":2},"c":true}`, []string{"", "", "true"}},
		{"a value that names a member", `{"x":"\"a\":1","b":false}`, []string{"", "false", ""}},
		{"the last repeat wins", `{"a":1,"a":2,"a":null}`, []string{"", "", ""}},
		{"escaped name", `{"\u0062":3}`, []string{"", "3", ""}},
		{"empty", `{}`, []string{"", "", ""}},
		{"not an object", `[1]`, []string{"ERR"}},
		{"cut short", `{"a":{"b":1}`, []string{"ERR"}},
		{"unterminated string", `{"a":"x}`, []string{"ERR"}},
		{"missing colon", `{"a" 1}`, []string{"ERR"}},
		{"trailing comma", `{"a":1,}`, []string{"ERR"}},
		{"bad escape in a name", `{"\q":1}`, []string{"ERR"}},
		{"empty input", ``, []string{"ERR"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vals, ok := objectMembers([]byte(tt.obj), "a", "b", "c")
			if tt.want[0] == "ERR" {
				if ok {
					t.Fatalf("accepted: %q", vals)
				}
				return
			}
			if !ok {
				t.Fatal("refused")
			}
			for i, w := range tt.want {
				if string(vals[i]) != w {
					t.Errorf("member %d = %q, want %q", i, vals[i], w)
				}
			}
		})
	}
}

// The raw-body path must not cost a full decode per cluster: objectMembers walks the body once.
func BenchmarkReadControls(b *testing.B) {
	body := []byte(clusterBody(`"logging":{"clusterLogging":[{"types":["api","audit"],"enabled":true},{"types":["authenticator","controllerManager","scheduler"],"enabled":false}]},` +
		`"accessConfig":{"bootstrapClusterCreatorAdminPermissions":true,"authenticationMode":"API_AND_CONFIG_MAP"},` +
		`"encryptionConfig":[{"resources":["secrets"],"provider":{"keyArn":"` + testKey + `"}}],` +
		`"tags":{` + strings.Repeat(`"k":"v",`, 40) + `"z":"z"},"certificateAuthority":{"data":"` + strings.Repeat("QUJD", 400) + `"}`))
	c := &ekstypes.Cluster{}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var m model.Cluster
		readControls(&m, c, body)
		if m.SecretsKeyARN.Value != testKey {
			b.Fatal(fmt.Sprint(m.SecretsKeyARN))
		}
	}
}

// FuzzReadControls: no response body panics the reader, objectMembers finds exactly the members a
// JSON decoder keeps (the last of a repeated name, null as absent), and every setting comes out with
// an origin and a list that is never nil.
func FuzzReadControls(f *testing.F) {
	f.Add([]byte(clusterBody(`"logging":{"clusterLogging":[{"types":["api"],"enabled":true},null]},"accessConfig":{"authenticationMode":"API"},"encryptionConfig":[{"resources":["secrets"],"provider":{"keyArn":"k"}}]`)))
	f.Add([]byte(`{"cluster":{"\u006cogging":{"clusterLogging":[]},"logging":null,"tags":{"accessConfig":"{}"}}}`))
	f.Add([]byte(`{"a":[{"b":"}\"]"}],"c":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m model.Cluster
		readControls(&m, &ekstypes.Cluster{}, data)
		for _, o := range []model.Origin{m.EnabledLogTypes.Origin, m.AuthenticationMode.Origin, m.SecretsKeyARN.Origin} {
			if o != model.OriginExplicit && o != model.OriginDefault && o != model.OriginUnknown {
				t.Fatalf("origin %q", o)
			}
		}
		if m.EnabledLogTypes.Values == nil {
			t.Fatal("nil log types")
		}
		var want map[string]json.RawMessage
		if json.Unmarshal(data, &want) != nil {
			return
		}
		got, ok := objectMembers(data, "cluster", "a", "c")
		if !ok {
			t.Fatalf("a valid object refused: %q", data)
		}
		for i, name := range []string{"cluster", "a", "c"} {
			w, present := want[name]
			if !present || string(w) == "null" {
				w = nil
			}
			if !bytes.Equal(got[i], w) {
				t.Fatalf("member %s = %q, a decoder keeps %q", name, got[i], w)
			}
		}
	})
}
