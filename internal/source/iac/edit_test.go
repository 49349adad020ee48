package iac

import (
	"errors"
	"slices"
	"testing"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

func TestEditEach(t *testing.T) {
	all := model.Settings{EndpointPublicAccess: model.Ptr(false), AuthenticationMode: model.Ptr("API"), SecretsKeyARN: model.Ptr("arn:aws:kms:us-east-1:111111111111:key/k")}
	ok := &finding.Fix{Description: "all"}
	// refuse makes an edit that cannot write the given fields.
	refuse := func(bad ...model.Field) func(model.Settings) (*finding.Fix, error) {
		return func(s model.Settings) (*finding.Fix, error) {
			for _, f := range bad {
				if slices.Contains(s.Fields(), f) {
					return nil, errors.New("no place for " + string(f))
				}
			}
			return ok, nil
		}
	}
	tests := []struct {
		name  string
		want  model.Settings
		edit  func(model.Settings) (*finding.Fix, error)
		fix   bool
		field model.Field // the FieldError's field, when one
		plain bool        // a plain error
	}{
		{name: "every field written", want: all, edit: refuse(), fix: true},
		{name: "the first field refused", want: all, edit: refuse(model.FieldEndpointPublicAccess), field: model.FieldEndpointPublicAccess},
		{name: "the last field refused", want: all, edit: refuse(model.FieldSecretsKeyARN), field: model.FieldSecretsKeyARN},
		{name: "every field refused", want: all, edit: refuse(model.FieldEndpointPublicAccess, model.FieldAuthenticationMode, model.FieldSecretsKeyARN), plain: true},
		{name: "one field, refused", want: all.Only(model.FieldAuthenticationMode), edit: refuse(model.FieldAuthenticationMode), field: model.FieldAuthenticationMode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fix, err := EditEach(tt.want, tt.edit)
			var fe *FieldError
			switch {
			case tt.fix:
				if err != nil || fix != ok {
					t.Fatalf("fix %v, err %v", fix, err)
				}
			case tt.plain:
				if err == nil || errors.As(err, &fe) {
					t.Fatalf("err = %#v, want a plain error", err)
				}
			default:
				if !errors.As(err, &fe) || fe.Field != tt.field {
					t.Fatalf("err = %#v, want a FieldError for %s", err, tt.field)
				}
			}
		})
	}
}
