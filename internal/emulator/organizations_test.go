package emulator

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func TestListAccounts(t *testing.T) {
	tests := []struct {
		name       string
		empty      int
		pageSize   int
		maxResults *int32
		wantPages  int
	}{
		{name: "one page", wantPages: 1},
		{name: "max 2", maxResults: aws.Int32(2), wantPages: 3},
		{name: "empty pages first", empty: 3, maxResults: aws.Int32(4), wantPages: 5},
		{name: "server caps page size", pageSize: 1, wantPages: 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, u := startFleet(t, "fleet.yaml")
			withBehaviour(s, func(b *Behaviour) { b.OrganizationEmptyPages, b.OrgPageSize = tt.empty, tt.pageSize })
			p := organizations.NewListAccountsPaginator(orgClient(u), &organizations.ListAccountsInput{MaxResults: tt.maxResults})
			status := map[string]string{}
			var order []string
			pages, emptyPages := 0, 0
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				if len(out.Accounts) == 0 {
					emptyPages++
				}
				for _, a := range out.Accounts {
					status[aws.ToString(a.Id)] = string(a.Status)
					order = append(order, aws.ToString(a.Id))
					if a.JoinedTimestamp == nil || aws.ToString(a.Arn) == "" || aws.ToString(a.Email) == "" {
						t.Errorf("incomplete account %+v", a)
					}
				}
			}
			if pages != tt.wantPages || emptyPages != tt.empty || len(order) != 6 || order[0] != "111111111111" {
				t.Errorf("pages %d (empty %d) accounts %q", pages, emptyPages, order)
			}
			if status["333333333333"] != "SUSPENDED" || status["666666666666"] != "PENDING_CLOSURE" || status["222222222222"] != "ACTIVE" {
				t.Errorf("statuses %v", status)
			}
		})
	}
}

func TestListAccountsErrors(t *testing.T) {
	s, u := startFleet(t, "fleet.yaml")
	client := orgClient(u)
	for _, tt := range []struct {
		name string
		in   organizations.ListAccountsInput
		code string
	}{
		{"max 21", organizations.ListAccountsInput{MaxResults: aws.Int32(21)}, "InvalidInputException"},
		{"max 0", organizations.ListAccountsInput{MaxResults: aws.Int32(0)}, "InvalidInputException"},
		{"bad token", organizations.ListAccountsInput{NextToken: aws.String("nope")}, "InvalidInputException"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.ListAccounts(ctx, &tt.in)
			wantAPIError(t, err, tt.code, "")
		})
	}
	t.Run("member account", func(t *testing.T) {
		base := awsConfig(u, "us-east-1", "AKIDCALLER", 1)
		cfg := base.Copy()
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"))
		_, err := organizations.NewFromConfig(cfg).ListAccounts(ctx, &organizations.ListAccountsInput{})
		wantAPIError(t, err, "AccessDeniedException", "You don't have permissions to access this resource.")
	})
	t.Run("management account through a role", func(t *testing.T) {
		base := awsConfig(u, "us-east-1", "AKIDCALLER", 1)
		cfg := base.Copy()
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), "arn:aws:iam::111111111111:role/Audit"))
		if _, err := organizations.NewFromConfig(cfg).ListAccounts(ctx, &organizations.ListAccountsInput{}); err != nil {
			t.Error(err)
		}
	})
	if s.Calls()["organizations:ListAccounts"] < 4 {
		t.Errorf("calls %v", s.Calls())
	}
	resp, body := raw(t, u, "POST", "/", "organizations", "us-east-1", `{"MaxResults":50}`, "X-Amz-Target", "AWSOrganizationsV20161128.ListAccounts", "Content-Type", "application/x-amz-json-1.1")
	if resp.StatusCode != 400 || string(body) == "" || !contains([]string{"InvalidInputException"}, jsonField(body, "__type")) {
		t.Errorf("raw: %d %s", resp.StatusCode, body)
	}
}

func TestNoOrganization(t *testing.T) {
	_, u := startFleet(t, `
organization: false
accounts:
  - id: "111111111111"
`)
	_, err := orgClient(u).ListAccounts(ctx, &organizations.ListAccountsInput{})
	wantAPIError(t, err, "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
}
