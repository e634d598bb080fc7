package main

import (
	"context"
	"fmt"
	"io"

	newsmon "github.com/newsmon/newsmon"
	"github.com/newsmon/newsmon/alert"
)

func cmdAlerts(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("alerts", "alerts test RULE", stderr)
	var cf commonFlags
	cf.register(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "test" {
		fs.Usage()
		return fmt.Errorf("%w: want \"alerts test RULE\"", errUsage)
	}
	cfg, err := cf.loadConfig(fs)
	if err != nil {
		return err
	}
	var rule *newsmon.AlertRule
	for i := range cfg.Alerts {
		if cfg.Alerts[i].Name == pos[1] {
			rule = &cfg.Alerts[i]
		}
	}
	if rule == nil {
		return newsmon.Errorf(newsmon.EINVALID, "alert %q: no such rule in the configuration", pos[1])
	}
	if err := alert.SendTest(ctx, *rule, &alert.Webhook{}, &alert.Email{SMTP: cfg.SMTP}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "sent a sample alert through the channels of %s\n", rule.Name)
	return nil
}
