use legacy_migration::{Application, NAME, Settings};

fn main() -> std::process::ExitCode {
    beian_platform::cli::run_service(NAME, |args, _: beian_platform::cli::NoExtraArgs| async move {
        let application = Application::build(Settings::from_args(&args)?).await?;
        application.run_until(beian_platform::shutdown::signal()).await
    })
}
