use legacy_migration::{Application, LegacyArgs, NAME, Settings};

fn main() -> std::process::ExitCode {
    beian_platform::cli::run_service(NAME, |args, extra: LegacyArgs| async move {
        let application = Application::build(Settings::from_args(&args, &extra)?).await?;
        application.run_until(beian_platform::shutdown::signal()).await
    })
}
