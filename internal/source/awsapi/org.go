package awsapi

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/eksguard/eksguard/internal/model"
)

// AccountOptions say which accounts to scan beyond the caller's.
type AccountOptions struct {
	// Org discovers accounts with organizations:ListAccounts.
	Org bool
	// Only limits the accounts (with Org) or names them (without).
	Only []string
	// RoleName is assumed in every account but the caller's own.
	RoleName   string
	ExternalID string
}

// ResolveAccounts turns the account options into accounts with credentials. The caller's own account
// is scanned with the caller's credentials (the management account usually has no
// OrganizationAccountAccessRole); every other account through an assumed role. An account whose
// role cannot be assumed comes back with Err set, so it becomes an ERROR and the scan goes on.
// Accounts that are not ACTIVE are skipped and reported.
func (c *Collector) ResolveAccounts(ctx context.Context, caller Identity, o AccountOptions) ([]Account, []model.Skip, error) {
	ids := o.Only
	var skipped []model.Skip
	var missing []Account
	if o.Org {
		listed, err := c.listOrgAccounts(ctx)
		if err != nil {
			return nil, nil, err
		}
		// want stays whole while accounts are matched against it; found records the matches.
		// (Deleting from want instead once let an emptied set admit every later account.)
		want, found := map[string]bool{}, map[string]bool{}
		for _, id := range o.Only {
			want[id] = true
		}
		ids = nil
		for _, a := range listed {
			id := aws.ToString(a.Id)
			if len(want) > 0 && !want[id] {
				continue
			}
			if found[id] {
				continue // listed twice: scan it once
			}
			found[id] = true
			if st := accountState(a); st != "ACTIVE" {
				skipped = append(skipped, model.Skip{Account: id, Reason: fmt.Sprintf("account is %s in the organization", st)})
				continue
			}
			ids = append(ids, id)
		}
		// An account asked for that the organization does not have is most likely a typo: it is an
		// ERROR (the scan did not cover what was asked), not something skipped on purpose.
		for id := range want {
			if found[id] {
				continue
			}
			missing = append(missing, Account{ID: id, Err: &model.Error{Account: id, Operation: "organizations:ListAccounts",
				Message: "--accounts names " + id + ", which is not an account of the organization"}})
		}
	}
	sort.Strings(ids)
	sort.Slice(skipped, func(i, j int) bool { return skipped[i].Account < skipped[j].Account })
	partition := partitionOf(caller.ARN)
	accounts := make([]Account, len(ids))
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for i, id := range ids {
		if id == caller.Account {
			accounts[i] = Account{ID: id}
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, id string) {
			defer func() { <-sem; wg.Done() }()
			accounts[i] = c.assume(ctx, partition, id, o)
		}(i, id)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	sort.Slice(missing, func(i, j int) bool { return missing[i].ID < missing[j].ID })
	return append(accounts, missing...), skipped, nil
}

func accountState(a orgtypes.Account) string {
	if a.State != "" {
		return string(a.State)
	}
	if a.Status != "" {
		return string(a.Status)
	}
	return "ACTIVE"
}

// listOrgAccounts reads every page, including empty pages that still carry a NextToken.
func (c *Collector) listOrgAccounts(ctx context.Context) ([]orgtypes.Account, error) {
	client := c.Clients.Organizations(c.baseRegion())
	var out []orgtypes.Account
	p := newPages("ListAccounts")
	for {
		page, err := client.ListAccounts(ctx, &organizations.ListAccountsInput{NextToken: p.token})
		if err != nil {
			var notInUse *orgtypes.AWSOrganizationsNotInUseException
			switch {
			case ctx.Err() != nil:
				return nil, ctx.Err()
			case errors.As(err, &notInUse):
				return nil, &FatalError{Err: errors.New("--org: the caller's account is not in an AWS Organization; scan named accounts with --accounts and --role-name instead")}
			case IsAccessDenied(err):
				return nil, &FatalError{Denied: true, Action: "organizations:ListAccounts", Err: fmt.Errorf("--org: access denied: the caller needs organizations:ListAccounts, from the management account or a delegated administrator (%s)", Message(err))}
			}
			return nil, &FatalError{Err: &described{context: "organizations:ListAccounts", err: err}}
		}
		out = append(out, page.Accounts...)
		more, err := p.next(page.NextToken)
		switch {
		case err != nil:
			return nil, &FatalError{Err: fmt.Errorf("organizations:ListAccounts: %w", err)}
		case !more:
			return out, nil
		}
	}
}

// assume builds cached credentials for a role in another account and proves they work, so a role
// that cannot be assumed is one clear error instead of one per region.
func (c *Collector) assume(ctx context.Context, partition, account string, o AccountOptions) Account {
	roleARN := fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, account, o.RoleName)
	stsClient := c.Clients.STS(nil, c.baseRegion())
	provider := stscreds.NewAssumeRoleProvider(stsClient, roleARN, func(ao *stscreds.AssumeRoleOptions) {
		ao.RoleSessionName = "eksguard"
		if o.ExternalID != "" {
			ao.ExternalID = aws.String(o.ExternalID)
		}
	})
	creds := aws.NewCredentialsCache(provider)
	if _, err := creds.Retrieve(ctx); err != nil {
		e := model.Error{Account: account, Operation: "sts:AssumeRole", Message: fmt.Sprintf("cannot assume %s: %s", roleARN, Message(err))}
		var ae smithy.APIError
		if errors.As(err, &ae) {
			e.Code = ae.ErrorCode()
			e.AccessDenied = deniedCodes[e.Code]
		}
		return Account{ID: account, Err: &e}
	}
	return Account{ID: account, Creds: creds}
}

func partitionOf(arn string) string {
	parts := strings.SplitN(arn, ":", 3)
	if len(parts) >= 2 && parts[0] == "arn" && parts[1] != "" {
		return parts[1]
	}
	return "aws"
}
