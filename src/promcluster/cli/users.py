"""The ``user`` commands: add, list, disable, enable, set a password or a role; merged into the
``promcluster`` command line."""

from typing import Annotated

import typer
from rich.markup import escape

from promcluster import labels
from promcluster.cli.support import Database, console, session_for
from promcluster.russian import number

app = typer.Typer()
user_app = typer.Typer(help="Пользователи.", no_args_is_help=True)
app.add_typer(user_app, name="user")


@user_app.command(
    "add",
    help="Создать пользователя с ролью и её областью (кластеры или предприятие).",
)
def user_add(
    username: Annotated[str, typer.Argument(help="имя для входа")],
    role: Annotated[str, typer.Option(help="admin, cluster_manager или enterprise_rep")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="PROMCLUSTER_NEW_PASSWORD",
            help="пароль (спрашивается, если не задан PROMCLUSTER_NEW_PASSWORD)",
        ),
    ],
    cluster: Annotated[list[int] | None, typer.Option(help="кластер менеджера (id)")] = None,
    enterprise: Annotated[int | None, typer.Option(help="предприятие представителя (id)")] = None,
    full_name: Annotated[str | None, typer.Option(help="ФИО")] = None,
    database: Database = None,
) -> None:
    """Create a user with a role and its scope."""
    from promcluster.accounts.service import create_user

    with session_for(database, "user-add") as session:
        user = create_user(session, username, password, role, cluster or [], enterprise, full_name)
    role = labels.USER_ROLES.get(user.role, user.role)
    console.print(f"Пользователь «{user.username}» ({role}) создан.")


Username = Annotated[str, typer.Argument(help="имя пользователя")]
PasswordOption = Annotated[
    str,
    typer.Option(
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="PROMCLUSTER_NEW_PASSWORD",
        help="новый пароль (спрашивается, если не задан PROMCLUSTER_NEW_PASSWORD)",
    ),
]


@user_app.command(
    "list",
    help="Список пользователей: роль, область, активен ли, последний вход.",
)
def user_list(database: Database = None) -> None:
    """List users: role, scope, whether active, last login."""
    from rich.table import Table

    from promcluster.accounts.service import list_users

    table = Table("Имя", "Роль", "Кластеры / предприятие", "Активен", "Последний вход", "Сеансов")
    with session_for(database, "user-list") as session:
        for row in list_users(session, None):
            user = row.user
            scope = ", ".join(str(i) for i in sorted(user.cluster_ids)) or (
                f"предприятие {user.enterprise_id}" if user.enterprise_id else "—"
            )
            table.add_row(
                escape(user.username),
                labels.USER_ROLES.get(user.role, user.role),
                scope,
                "да" if user.is_active else "нет",
                row.last_login.strftime("%d.%m.%Y %H:%M") if row.last_login else "—",
                number(row.live_sessions),
            )
    console.print(table)


def _set_active(username: str, active: bool, database: str | None) -> None:
    from promcluster.accounts.service import find_user, set_active

    verb = "enable" if active else "disable"
    with session_for(database, f"user-{verb}") as session:
        set_active(session, None, find_user(session, username).id, active)
    state = "включён" if active else "отключён, его сеансы завершены"
    console.print(f"Пользователь «{escape(username)}» {state}.")


@user_app.command(
    "disable",
    help="Отключить пользователя: войти он не сможет, все его сеансы сразу завершаются.",
)
def user_disable(username: Username, database: Database = None) -> None:
    """Disable a user: they cannot log in, and every session of theirs ends at once."""
    _set_active(username, False, database)


@user_app.command(
    "enable",
    help="Снова включить отключённого пользователя.",
)
def user_enable(username: Username, database: Database = None) -> None:
    """Enable a disabled user again."""
    _set_active(username, True, database)


@user_app.command(
    "set-password",
    help="Задать пароль пользователя; все его сеансы завершаются.",
)
def user_set_password(
    username: Username, password: PasswordOption, database: Database = None
) -> None:
    """Set a user's password; every session of theirs ends."""
    from promcluster.accounts.service import find_user, set_password

    with session_for(database, "user-set-password") as session:
        set_password(session, None, find_user(session, username).id, password)
    console.print(f"Пароль пользователя «{escape(username)}» изменён, его сеансы завершены.")


@user_app.command(
    "set-role",
    help="Изменить роль пользователя и её область.",
)
def user_set_role(
    username: Username,
    role: Annotated[str, typer.Option(help="admin, cluster_manager или enterprise_rep")],
    cluster: Annotated[list[int] | None, typer.Option(help="кластер менеджера (id)")] = None,
    enterprise: Annotated[int | None, typer.Option(help="предприятие представителя (id)")] = None,
    database: Database = None,
) -> None:
    """Change a user's role and its scope."""
    from promcluster.accounts.service import find_user, set_role

    with session_for(database, "user-set-role") as session:
        set_role(session, None, find_user(session, username).id, role, cluster or [], enterprise)
    console.print(f"Пользователь «{escape(username)}»: роль {role}.")
