package ekstoken

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/eksguard/eksguard/internal/emulator"
)

func emulatorSTS(t *testing.T) (*sts.Client, string) {
	t.Helper()
	f, err := emulator.ParseFleet([]byte("accounts:\n  - id: \"111111111111\"\n"), "fleet.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv := emulator.New(f)
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return sts.New(sts.Options{Region: "eu-west-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}), url
}

// TestTokenVerifiesAgainstSTS: a token is what the EKS authenticator expects, and calling its URL
// as the authenticator does names the caller.
func TestTokenVerifiesAgainstSTS(t *testing.T) {
	client, _ := emulatorSTS(t)
	now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	tok, err := New(context.Background(), client, "prod", now)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok.Value, Prefix) || strings.ContainsAny(tok.Value[len(Prefix):], "+/=") || !tok.Expires.Equal(now.Add(15*time.Minute)) {
		t.Fatalf("token %q expires %s", tok.Value, tok.Expires)
	}
	u, err := Decode(tok.Value)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for k, want := range map[string]string{"Action": "GetCallerIdentity", "X-Amz-Expires": "60", "X-Amz-Algorithm": "AWS4-HMAC-SHA256"} {
		if q.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, q.Get(k), want)
		}
	}
	if !strings.Contains(q.Get("X-Amz-SignedHeaders"), ClusterHeader) || !strings.Contains(q.Get("X-Amz-Credential"), "/eu-west-1/sts/") {
		t.Errorf("signed headers %q, credential %q", q.Get("X-Amz-SignedHeaders"), q.Get("X-Amz-Credential"))
	}
	if strings.Contains(tok.Value, "secret") || strings.Contains(u.String(), "secret") {
		t.Error("the token carries the secret key")
	}
	arn, err := Verify(context.Background(), &http.Client{Timeout: 5 * time.Second}, tok.Value, "prod")
	if err != nil || arn != "arn:aws:iam::111111111111:user/eksguard-emulator" {
		t.Errorf("verify: %q, %v", arn, err)
	}
}

func TestDecodeRefuses(t *testing.T) {
	enc := func(s string) string { return Prefix + base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, tt := range []struct{ name, token, want string }{
		{"no prefix", "abc", "does not start with"},
		{"empty", "", "does not start with"},
		{"not base64", Prefix + "!!!", "not base64url"},
		{"another action", enc("https://sts.amazonaws.com/?Action=AssumeRole&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id"), "want GetCallerIdentity"},
		{"cluster header not signed", enc("https://sts.amazonaws.com/?Action=GetCallerIdentity&X-Amz-SignedHeaders=host"), "not a signed header"},
		{"another scheme", enc("ftp://sts.amazonaws.com/?Action=GetCallerIdentity&X-Amz-SignedHeaders=x-k8s-aws-id"), "scheme"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Decode(tt.token); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
	if _, err := New(context.Background(), sts.New(sts.Options{Region: "us-east-1"}), "", time.Now()); err == nil {
		t.Error("a token without a cluster name was made")
	}
}
