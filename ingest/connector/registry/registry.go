// Package registry picks the connector of a source type. It is apart from
// package connector so that the connectors can import that package's
// types without an import cycle.
package registry

import (
	"fmt"
	"sort"

	"counterlens/ingest/connector"
	"counterlens/ingest/connector/ebay"
	"counterlens/ingest/connector/folder"
	"counterlens/ingest/connector/html"
	"counterlens/ingest/connector/mastodon"
	"counterlens/ingest/connector/reddit"
	"counterlens/ingest/connector/rss"
	"counterlens/ingest/connector/shopify"
	"counterlens/ingest/connector/telegram"
	"counterlens/ingest/connector/woocommerce"
)

type factory func(connector.Doer, connector.Config) connector.Connector

var factories = map[string]factory{
	"ebay":     func(d connector.Doer, c connector.Config) connector.Connector { return ebay.New(d, c) },
	"folder":   func(_ connector.Doer, c connector.Config) connector.Connector { return folder.New(c) },
	"html":     func(d connector.Doer, c connector.Config) connector.Connector { return html.New(d, c) },
	"mastodon": func(d connector.Doer, c connector.Config) connector.Connector { return mastodon.New(d, c) },
	"reddit":   func(d connector.Doer, c connector.Config) connector.Connector { return reddit.New(d, c) },
	"rss":      func(d connector.Doer, c connector.Config) connector.Connector { return rss.New(d, c) },
	"shopify":  func(d connector.Doer, c connector.Config) connector.Connector { return shopify.New(d, c) },
	"telegram": func(_ connector.Doer, c connector.Config) connector.Connector { return telegram.New(c) },
	"woocommerce": func(d connector.Doer, c connector.Config) connector.Connector {
		return woocommerce.New(d, c)
	},
}

// New returns the connector for source type typ, or an error wrapping
// [connector.ErrUnknownType].
func New(typ string, doer connector.Doer, cfg connector.Config) (connector.Connector, error) {
	f, ok := factories[typ]
	if !ok {
		return nil, fmt.Errorf("%w %q", connector.ErrUnknownType, typ)
	}
	if doer == nil {
		return nil, fmt.Errorf("connector %s: nil Doer", typ)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return f(doer, cfg), nil
}

// Types lists the source types that have a connector, sorted.
func Types() []string {
	out := make([]string, 0, len(factories))
	for t := range factories {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
