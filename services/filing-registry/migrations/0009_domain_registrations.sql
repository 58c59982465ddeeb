-- What domain registrars know of domains (域名实名信息), as their integration pushes it: the
-- facts a new website's domains are verified against (域名核验, seed 002 §1.1) — real-name
-- verified, not expired, held by the filing's subject. One row per domain: a later record
-- replaces the earlier one.
create table domain_registrations (
    -- normalised: lower case, punycode, no trailing dot, no leading www.
    domain                     text primary key,
    registrar                  text not null,
    holder_name                text not null,
    holder_certificate_type    text not null,
    holder_certificate_number  text not null,
    -- upper-cased, separators removed: compared with the subject's certificate_key
    holder_certificate_key     text not null,
    -- 1 once the holder passed the registrar's real-name verification (实名认证)
    real_name_verified         smallint not null,
    expires_at_ms              bigint not null,
    updated_at_ms              bigint not null
);
