-- Finding everything about an order beyond its own stream (order-{key}): the webhooks normalized
-- into it and the alerts raised about it carry `orderKey` in their data.
create index events_order_key on events ((data->>'orderKey'))
  where data ? 'orderKey' and stream_id not like 'order-%';

-- Billing payments that name a shop order (Stripe metadata.order_id + ordersOf): later billing
-- webhooks that only know the billing object (a refund of that payment) are routed to the same
-- order through this alias. Written in the normalization transaction; derivable from the
-- WebhookNormalized events (billingKey) if it ever had to be rebuilt.
create table order_aliases (
  alias text primary key,
  order_key text not null,
  created_at timestamptz not null default now()
);

grant select, insert on order_aliases to s2s_app;
