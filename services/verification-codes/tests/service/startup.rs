//! A service run without an SMTP server or SMS provider would "deliver" to
//! the file sink, in clear: it refuses to start unless told it is a
//! development run.

use verification_codes::{Application, EmailAdapter, SmsAdapter, SmsHttpSettings, SmtpSettings};

use crate::common::{TestDatabase, settings};

#[tokio::test]
async fn the_file_sink_needs_a_development_run() {
    let db = TestDatabase::fresh().await;
    let mut production = settings(&db);
    production.development = false;
    let error = Application::build(production.clone()).await.expect_err("refused");
    assert!(error.to_string().contains("BEIAN_DEVELOPMENT"), "{error}");

    // one channel still on the file sink is refused as well
    production.delivery.sms = SmsAdapter::Http(SmsHttpSettings {
        url: "http://127.0.0.1:9/sms".into(),
        key: beian_platform::config::Secret::new("provider-key"),
        template_ids: Default::default(),
        timeout: std::time::Duration::from_secs(1),
    });
    let error = Application::build(production.clone()).await.expect_err("email on the file sink");
    assert!(error.to_string().contains("email"), "{error}");

    production.delivery.email = EmailAdapter::Smtp(SmtpSettings {
        url: beian_platform::config::Secret::new("smtp://127.0.0.1:2525"),
        from: "noreply@example.com".into(),
        timeout: std::time::Duration::from_secs(1),
    });
    let app = Application::build(production).await.expect("real providers need no development run");
    drop(app);

    let development = settings(&db);
    assert!(development.development);
    Application::build(development).await.expect("a development run may use the file sink");
    db.remove().await;
}
