-- Demo master data for risk: credit limits and ratings (minor units). Who may release holds is
-- in the sign-in roles (deploy/demo/people.json) and risk's authority limits (GET /authority-limits).
-- Idempotent. Loaded by `make run` (deploy/local/services.sh demo) as role risk.
INSERT INTO credit_profiles (customer_code, credit_limit, currency, rating) VALUES
    ('C-1001', 50000000, 'CNY', 'A'),   -- 500,000.00 CNY
    ('C-1002', 2000000, 'CNY', 'B'),    -- 20,000.00 CNY
    ('C-2001', 1000000, 'USD', 'A')     -- 10,000.00 USD
ON CONFLICT (customer_code) DO NOTHING;
