package awsapi

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/eksguard/eksguard/internal/model"
)

var deniedCodes = map[string]bool{
	"AccessDeniedException": true, "AccessDenied": true, "UnauthorizedOperation": true,
	"UnauthorizedException": true, "AuthorizationError": true, "AuthFailure": true,
}

// regionDisabledCodes are what AWS answers in a region the account has not enabled: the credentials
// are not known there.
var regionDisabledCodes = map[string]bool{
	"UnrecognizedClientException": true, "InvalidClientTokenId": true,
}

// FatalError stops a collection before it could produce anything worth reporting: no credentials,
// or no way to learn which regions or accounts to scan.
type FatalError struct {
	// Denied is set for missing credentials or a permission the caller lacks (exit code 4).
	Denied bool
	// Action is the IAM action that was refused, when one was.
	Action string
	Err    error
}

func (e *FatalError) Error() string { return e.Err.Error() }
func (e *FatalError) Unwrap() error { return e.Err }

// IsAccessDenied reports whether err is AWS refusing the caller a permission.
func IsAccessDenied(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && deniedCodes[ae.ErrorCode()]
}

// Classify turns an SDK error from op (an IAM action such as eks:ListClusters) into a model.Error.
func Classify(err error, op string) model.Error {
	e := model.Error{Operation: op, Message: Message(err)}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		e.Code = ae.ErrorCode()
		e.AccessDenied = deniedCodes[e.Code]
		if regionDisabledCodes[e.Code] {
			e.Message = "the region does not recognise the credentials; it is probably not enabled for this account (" + ae.ErrorMessage() + ")"
		}
	}
	return e
}

// Message is the most useful one-line text of an SDK error: the service's own message when there is
// one, else the transport error without the SDK's operation preamble.
func Message(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if m := ae.ErrorMessage(); m != "" {
			return fmt.Sprintf("%s: %s", ae.ErrorCode(), m)
		}
		return ae.ErrorCode()
	}
	msg := err.Error()
	if i := strings.Index(msg, "https response error"); i >= 0 {
		msg = msg[i:]
	}
	if i := strings.LastIndex(msg, ", "); strings.HasPrefix(msg, "operation error") && i >= 0 {
		msg = strings.TrimSpace(msg[i+1:])
	}
	return msg
}
