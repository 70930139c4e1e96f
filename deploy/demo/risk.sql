-- Demo master data for risk: credit limits and ratings (minor units), and who may release holds.
-- Idempotent. Loaded by `make run` (deploy/local/services.sh demo) as role risk.
INSERT INTO credit_profiles (customer_code, credit_limit, currency, rating) VALUES
    ('C-1001', 50000000, 'CNY', 'A'),   -- 500,000.00 CNY
    ('C-1002', 2000000, 'CNY', 'B'),    -- 20,000.00 CNY
    ('C-2001', 1000000, 'USD', 'A')     -- 10,000.00 USD
ON CONFLICT (customer_code) DO NOTHING;
INSERT INTO authorisers (name, title) VALUES
    ('li.wei', 'Credit manager'),
    ('zhang.min', 'Finance director')
ON CONFLICT (name) DO NOTHING;
