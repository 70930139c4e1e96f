-- Demo master data for finance: payment terms per customer. Idempotent; loaded as role finance.
-- Customers without terms pay net 30 days after delivery.
INSERT INTO terms (customer_code, kind, deposit_percent, net_days) VALUES
    ('C-1001', 'net', 0, 30),
    ('C-1002', 'deposit', 30, 15),
    ('C-2001', 'prepaid', 0, 0)
ON CONFLICT (customer_code) DO NOTHING;
