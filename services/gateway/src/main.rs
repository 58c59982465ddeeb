use gateway::{Application, GatewayArgs, NAME, Settings};

fn main() -> std::process::ExitCode {
    beian_platform::cli::run_service(NAME, |args, extra: GatewayArgs| async move {
        let application = Application::build(Settings::from_args(&args, &extra)?).await?;
        application.run_until(beian_platform::shutdown::signal()).await
    })
}
