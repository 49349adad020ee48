// Package app carries what every command needs from its surroundings (streams, AWS configuration,
// clock), built lazily so that commands that never touch AWS never load credentials.
package app

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/eksguard/eksguard/internal/iostreams"
)

// Factory is handed to every command constructor.
type Factory struct {
	IO *iostreams.IOStreams
	// AWSConfig loads the SDK configuration with the standard credential chain (environment, shared
	// config and profiles, SSO, instance and container roles). Tests and the demo replace it.
	AWSConfig func(ctx context.Context, profile string) (aws.Config, error)
	Now       func() time.Time
}

// New returns the factory for the real process.
func New(io *iostreams.IOStreams) *Factory {
	return &Factory{IO: io, AWSConfig: LoadAWSConfig, Now: time.Now}
}

// LoadAWSConfig loads the default SDK configuration, optionally for a named profile.
func LoadAWSConfig(ctx context.Context, profile string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	return cfg, nil
}
